import { type Message } from '@sessions/core';
import { compareByOrder, matchesFilter, type ResolvedFilter, type ResolvedOrderTerm } from '@sessions/core/engine';
import { decodeMessage } from '../codec.js';
import { allUsers, pipelineResults, userSessionIds, zrange, type Store } from '../store.js';
import { columnInterval, columnValues } from './constraints.js';
import type { Interval } from './interval.js';
import { scoreRange } from './range-args.js';

/** A message as read, with its stored member text (what a compare-and-set replace must match). */
export interface FetchedMessage {
  readonly message: Message;
  readonly member: string;
}

interface MessagePlan {
  readonly users: ReadonlySet<string> | undefined;
  readonly sessionIds: ReadonlySet<string> | undefined;
  readonly seq: Interval<number> | undefined;
  readonly empty: boolean;
}

const SESSIONS_PER_PIPELINE = 50;
const MIN_PAGE = 16;
const MAX_PAGE = 1_000;

function planMessages(where: ResolvedFilter): MessagePlan {
  const users = columnValues(where, 'userId');
  const sessionIds = columnValues(where, 'sessionId');
  const seq = columnInterval(where, 'seq', 'number');
  return { users, sessionIds, seq, empty: users?.size === 0 || sessionIds?.size === 0 || seq?.empty === true };
}

/** True when one session's messages, read by seq, come out in the query's order. */
function seqOrdered(orderBy: readonly ResolvedOrderTerm[]): 'asc' | 'desc' | undefined {
  const first = orderBy.find((term) => term.field !== 'userId' && term.field !== 'sessionId');
  return first?.field === 'seq' ? first.direction : undefined;
}

type Query = { where: ResolvedFilter; orderBy: readonly ResolvedOrderTerm[]; limit: number | undefined; offset: number | undefined };

/** One session's matching messages in seq order, read a page at a time until `want` are found. */
async function pagedSession(
  store: Store,
  key: { userId: string; sessionId: string },
  plan: MessagePlan,
  where: ResolvedFilter,
  direction: 'asc' | 'desc',
  want: number,
): Promise<FetchedMessage[]> {
  const [min, max, ...flags] = scoreRange(plan.seq, direction === 'desc') as [string, string, ...string[]];
  const matches: FetchedMessage[] = [];
  let page = Math.min(MAX_PAGE, Math.max(MIN_PAGE, Number.isFinite(want) ? want + 1 : MAX_PAGE));
  for (let offset = 0; ;) {
    const members = await zrange(store, store.keys.session(key).messages, [min, max, ...flags, 'LIMIT', offset, page]);
    offset += members.length;
    for (const member of members) {
      const message = decodeMessage(key, member);
      if (matchesFilter(where, message as unknown as Record<string, unknown>)) matches.push({ message, member });
    }
    if (matches.length >= want || members.length < page) return matches;
    page = Math.min(MAX_PAGE, page * 2);
  }
}

/** All matching messages of some sessions of one user, a pipeline of ZRANGE per batch of sessions. */
async function gatherSessions(
  store: Store,
  userId: string,
  sessionIds: readonly string[],
  plan: MessagePlan,
  where: ResolvedFilter,
): Promise<FetchedMessage[]> {
  const [min, max, flag] = scoreRange(plan.seq, false) as [string, string, 'BYSCORE'];
  const matches: FetchedMessage[] = [];
  for (let i = 0; i < sessionIds.length; i += SESSIONS_PER_PIPELINE) {
    const batch = sessionIds.slice(i, i + SESSIONS_PER_PIPELINE);
    const pipeline = store.client.pipeline();
    for (const sessionId of batch) pipeline.zrange(store.keys.session({ userId, sessionId }).messages, min, max, flag);
    const replies = pipelineResults(await pipeline.exec()) as string[][];
    replies.forEach((members, j) => {
      const key = { userId, sessionId: batch[j]! };
      for (const member of members) {
        const message = decodeMessage(key, member);
        if (matchesFilter(where, message as unknown as Record<string, unknown>)) matches.push({ message, member });
      }
    });
  }
  return matches;
}

/**
 * Messages matching `where`, sorted and paged as MemoryEngine does. userId and sessionId
 * pick the sessions to read and a seq range becomes a ZRANGE BYSCORE; a single session
 * read in seq order stops as soon as the page is full.
 */
export async function findMessages(store: Store, query: Query): Promise<FetchedMessage[]> {
  const plan = planMessages(query.where);
  if (plan.empty) return [];
  const offset = query.offset ?? 0;
  const want = query.limit === undefined ? Number.POSITIVE_INFINITY : offset + query.limit;
  const users = plan.users ? [...plan.users] : await allUsers(store);
  const direction = seqOrdered(query.orderBy);
  let matches: FetchedMessage[] = [];
  if (direction && users.length === 1 && plan.sessionIds?.size === 1) {
    const key = { userId: users[0]!, sessionId: [...plan.sessionIds][0]! };
    matches = await pagedSession(store, key, plan, query.where, direction, want);
  } else {
    for (const userId of users) {
      const sessionIds = plan.sessionIds ? [...plan.sessionIds] : await userSessionIds(store, userId);
      matches.push(...(await gatherSessions(store, userId, sessionIds, plan, query.where)));
    }
  }
  const compare = compareByOrder(query.orderBy);
  matches.sort((a, b) => compare(a.message, b.message));
  return matches.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
}

/** Every matching message, one user at a time (for counts and updates). */
export async function* matchingMessages(store: Store, where: ResolvedFilter): AsyncGenerator<{ userId: string; matches: FetchedMessage[] }> {
  const plan = planMessages(where);
  if (plan.empty) return;
  for (const userId of plan.users ? [...plan.users] : await allUsers(store)) {
    const sessionIds = plan.sessionIds ? [...plan.sessionIds] : await userSessionIds(store, userId);
    const matches = await gatherSessions(store, userId, sessionIds, plan, where);
    if (matches.length > 0) yield { userId, matches };
  }
}

export async function countMessages(store: Store, where: ResolvedFilter): Promise<number> {
  let count = 0;
  for await (const { matches } of matchingMessages(store, where)) count += matches.length;
  return count;
}
