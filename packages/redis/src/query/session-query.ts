import { type Session } from '@sessions/core';
import { compareByOrder, matchesFilter, type ResolvedFilter, type ResolvedOrderTerm } from '@sessions/core/engine';
import { decodeSession, INTERNAL } from '../codec.js';
import { runScript } from '../scripts/commands.js';
import { allUsers, mapLimit, pipelineResults, zrange, type Store } from '../store.js';
import { chooseSessionSource, planSessions, type SessionPlan, type SessionSource } from './session-source.js';

/** A session as read, with the revision a compare-and-set write must match. */
export interface FetchedSession {
  readonly session: Session;
  readonly rev: string;
}

const FETCH_BATCH = 500;
const MIN_PAGE = 16;
const MAX_PAGE = 1_000;
/** Users read at once by queries that span users. */
const CONCURRENT_USERS = 8;

/**
 * Reads sessions of one user by id in one round trip (a pipeline of HGETALL, all in the
 * user's slot). Each hash is read atomically, so a session is either whole or absent;
 * absent ones (expired between the index read and now) are skipped and their index
 * entries repaired.
 */
export async function fetchSessions(store: Store, userId: string, ids: readonly string[]): Promise<FetchedSession[]> {
  if (ids.length === 0) return [];
  const pipeline = store.client.pipeline();
  for (const sessionId of ids) pipeline.hgetall(store.keys.session({ userId, sessionId }).session);
  const hashes = pipelineResults(await pipeline.exec()) as Array<Record<string, string>>;
  const found: FetchedSession[] = [];
  const missing: string[] = [];
  hashes.forEach((hash, i) => {
    const session = decodeSession(hash);
    if (session) found.push({ session, rev: hash[INTERNAL.rev] ?? '' });
    else missing.push(ids[i]!);
  });
  if (missing.length > 0) await repairIndex(store, userId, missing);
  return found;
}

/** Drops index entries of sessions whose keys are gone; a session recreated meanwhile is left alone. */
export async function repairIndex(store: Store, userId: string, sessionIds: readonly string[]): Promise<void> {
  const pipeline = store.client.pipeline();
  for (const sessionId of sessionIds) {
    runScript(pipeline, 'sessionsV1Delete', store.keys.scriptKeys({ userId, sessionId }), [sessionId, '0', '', '', '', '', '1']);
  }
  pipelineResults(await pipeline.exec());
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** One user's candidates, in batches; in the source's order when it is ordered. `want` sizes the first page. */
async function* scanUser(store: Store, userId: string, source: SessionSource, want: number): AsyncGenerator<FetchedSession[]> {
  if (source.kind === 'ids') {
    for (const ids of chunks(source.ids, FETCH_BATCH)) yield await fetchSessions(store, userId, ids);
    return;
  }
  const key = store.keys.user(userId)[source.index];
  const [min, max, ...flags] = source.range as [string, string, ...string[]];
  if (!source.ordered) {
    const ids = await zrange(store, key, source.range);
    for (const batch of chunks(ids, FETCH_BATCH)) yield await fetchSessions(store, userId, batch);
    return;
  }
  // Paged by offset; entries that move while we page may show up twice, so skip repeats.
  const seen = new Set<string>();
  let page = Math.min(MAX_PAGE, Math.max(MIN_PAGE, Number.isFinite(want) ? want + 1 : MAX_PAGE));
  for (let offset = 0; ;) {
    const ids = await zrange(store, key, [min, max, ...flags, 'LIMIT', offset, page]);
    offset += ids.length;
    const fresh = ids.filter((id) => !seen.has(id));
    for (const id of fresh) seen.add(id);
    yield await fetchSessions(store, userId, fresh);
    if (ids.length < page) return;
    page = Math.min(MAX_PAGE, page * 2);
  }
}

/** One user's matches. With an ordered source, stops once `want` are found. */
async function userMatches(
  store: Store,
  userId: string,
  plan: SessionPlan,
  where: ResolvedFilter,
  orderBy: readonly ResolvedOrderTerm[],
  want: number,
): Promise<FetchedSession[]> {
  const source = await chooseSessionSource(store, userId, plan, orderBy, want);
  const matches: FetchedSession[] = [];
  for await (const batch of scanUser(store, userId, source, want)) {
    for (const fetched of batch) if (matchesFilter(where, fetched.session as unknown as Record<string, unknown>)) matches.push(fetched);
    if (source.ordered && matches.length >= want) break;
  }
  return matches;
}

async function candidateUsers(store: Store, plan: SessionPlan): Promise<string[]> {
  return plan.users ? [...plan.users] : allUsers(store);
}

const byOrder = (orderBy: readonly ResolvedOrderTerm[]) => {
  const compare = compareByOrder(orderBy);
  return (a: FetchedSession, b: FetchedSession) => compare(a.session, b.session);
};

/**
 * Sessions matching `where`, sorted and paged exactly as MemoryEngine does. Each user's
 * candidates come from that user's indexes (never a keyspace scan); the filter itself is
 * core's `matchesFilter`, so results are identical by construction.
 */
export async function findSessions(
  store: Store,
  query: { where: ResolvedFilter; orderBy: readonly ResolvedOrderTerm[]; limit: number | undefined; offset: number | undefined },
): Promise<FetchedSession[]> {
  const plan = planSessions(query.where);
  if (plan.empty) return [];
  const offset = query.offset ?? 0;
  const want = query.limit === undefined ? Number.POSITIVE_INFINITY : offset + query.limit;
  // Each user's first `want` in order are enough: the overall first `want` are among them.
  const perUser = await mapLimit(await candidateUsers(store, plan), CONCURRENT_USERS, (userId) =>
    userMatches(store, userId, plan, query.where, query.orderBy, want),
  );
  const matches = perUser.flat();
  matches.sort(byOrder(query.orderBy));
  return matches.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
}

/** Every matching session, one user at a time (for counts, updates and deletes). */
export async function* matchingSessions(store: Store, where: ResolvedFilter): AsyncGenerator<{ userId: string; matches: FetchedSession[] }> {
  const plan = planSessions(where);
  if (plan.empty) return;
  for (const userId of await candidateUsers(store, plan)) {
    const matches = await userMatches(store, userId, plan, where, [], Number.POSITIVE_INFINITY);
    if (matches.length > 0) yield { userId, matches };
  }
}

export async function countSessions(store: Store, where: ResolvedFilter): Promise<number> {
  let count = 0;
  for await (const { matches } of matchingSessions(store, where)) count += matches.length;
  return count;
}
