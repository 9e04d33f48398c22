import type { KeySpace } from './keys.js';
import type { RedisClient } from './redis-client.js';

/** What the query and write helpers need: the client and the key layout. */
export interface Store {
  readonly client: RedisClient;
  readonly keys: KeySpace;
}

/** Pipeline replies as values; the first failed command's error is thrown. */
export function pipelineResults(results: Array<[Error | null, unknown]> | null): unknown[] {
  if (!results) throw new Error('the pipeline was discarded');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** ZRANGE with arguments built at run time (BYSCORE/BYLEX, REV, LIMIT), which a typed signature cannot express. */
export function zrange(store: Store, key: string, args: ReadonlyArray<string | number>): Promise<string[]> {
  return store.client.call('ZRANGE', key, ...args) as Promise<string[]>;
}

/** Every user id in the global user set, read with SSCAN (never KEYS). */
export async function allUsers(store: Store): Promise<string[]> {
  const users = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await store.client.sscan(store.keys.users, cursor, 'COUNT', 1000);
    for (const user of batch) users.add(user);
    cursor = next;
  } while (cursor !== '0');
  return [...users];
}

/** The ids of a user's sessions (may include sessions that expired a moment ago). */
export async function userSessionIds(store: Store, userId: string): Promise<string[]> {
  return store.client.zrange(store.keys.user(userId).byId, 0, -1);
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
