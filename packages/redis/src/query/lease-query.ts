import { compareCodePoints, type LeaseInfo, type ListLeasesQuery } from '@sessions/core/engine';
import { runScript } from '../scripts/commands.js';
import { allUsers, zrange, type Store } from '../store.js';
import { lexRange } from './range-args.js';

/** Session ids taken from a user's id index per step (and lease hashes read by one script). */
const BATCH = 500;
const CONCURRENT_USERS = 8;

type LeaseRows = Array<string | number | null>;

/**
 * `listLeases`, for operators: the lease hashes of the sessions in the users' id indexes, in
 * `(userId, sessionId)` code point order. Users come from the global user set (SSCAN), sorted
 * here; a user's session ids come from `ZRANGE ... BYLEX` on the id index, whose byte order is
 * code point order, a batch at a time; one script per batch reads the batch's lease hashes and
 * judges `held` on Redis's clock. Up to eight users are read at once, in order, until the page
 * is full. The lease hash a deleted session leaves behind is not in any index, so not listed.
 */
export async function listLeases(store: Store, query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
  const { after, limit } = query;
  let users = query.userId === undefined ? (await allUsers(store)).sort(compareCodePoints) : [query.userId];
  if (after) users = users.filter((userId) => compareCodePoints(userId, after.userId) >= 0);
  const rows: LeaseInfo[] = [];
  for (let i = 0; i < users.length && rows.length < limit; i += CONCURRENT_USERS) {
    const want = limit - rows.length;
    const window = users.slice(i, i + CONCURRENT_USERS);
    const pages = await Promise.all(
      window.map((userId) => userLeases(store, userId, after?.userId === userId ? after.sessionId : undefined, query.held, want)),
    );
    for (const page of pages) rows.push(...page);
  }
  return rows.slice(0, limit);
}

/** Up to `want` of one user's leases after `afterSessionId`. */
async function userLeases(store: Store, userId: string, afterSessionId: string | undefined, held: boolean | undefined, want: number): Promise<LeaseInfo[]> {
  const byId = store.keys.user(userId).byId;
  const heldArg = held === undefined ? '' : held ? '1' : '0';
  const rows: LeaseInfo[] = [];
  let from = afterSessionId;
  while (rows.length < want) {
    const range = lexRange(from === undefined ? undefined : { low: { value: from, open: true } }, false);
    const ids = await zrange(store, byId, [...range, 'LIMIT', 0, BATCH]);
    if (ids.length === 0) break;
    const leaseKeys = ids.map((sessionId) => store.keys.session({ userId, sessionId }).lease);
    const reply = await runScript<LeaseRows>(store.client, 'sessionsV1ListLeases', leaseKeys, [heldArg, ...ids]);
    for (let j = 0; j < reply.length; j += 5) {
      const expiresAt = reply[j + 3];
      rows.push({
        userId,
        sessionId: String(reply[j]),
        owner: String(reply[j + 1]),
        token: Number(reply[j + 2]),
        expiresAt: expiresAt === null || expiresAt === undefined ? null : new Date(Number(expiresAt)),
        held: reply[j + 4] === 1,
      });
    }
    if (ids.length < BATCH) break;
    from = ids.at(-1);
  }
  return rows.slice(0, want);
}
