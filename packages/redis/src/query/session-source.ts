import type { ResolvedFilter, ResolvedOrderTerm } from '@sessions/core/engine';
import type { Store } from '../store.js';
import { columnInterval, columnValues } from './constraints.js';
import { isBounded, type Interval } from './interval.js';
import { lexRange, scoreRange } from './range-args.js';

/** The per-user indexes a session query can read candidates from. */
export type SessionIndex = 'byUpdatedAt' | 'byCreatedAt' | 'byExpiresAt' | 'byId';

const INDEXED_TIMESTAMPS: ReadonlyArray<[string, SessionIndex]> = [
  ['updatedAt', 'byUpdatedAt'],
  ['createdAt', 'byCreatedAt'],
  ['expiresAt', 'byExpiresAt'],
];

/** Where one user's candidate sessions come from. `ordered` sources yield them in the query's order. */
export type SessionSource =
  | { readonly kind: 'ids'; readonly ids: readonly string[]; readonly ordered: false }
  | { readonly kind: 'index'; readonly index: SessionIndex; readonly range: readonly string[]; readonly ordered: boolean };

/** What the filter pins down, independent of the user. */
export interface SessionPlan {
  /** The only users that can match, or undefined for all of them. */
  readonly users: ReadonlySet<string> | undefined;
  readonly sessionIds: ReadonlySet<string> | undefined;
  readonly timestamps: ReadonlyMap<SessionIndex, Interval<number>>;
  readonly sessionIdRange: Interval<string> | undefined;
  /** True when the filter can match nothing (an empty range or an empty set of ids). */
  readonly empty: boolean;
}

export function planSessions(where: ResolvedFilter): SessionPlan {
  const timestamps = new Map<SessionIndex, Interval<number>>();
  for (const [field, index] of INDEXED_TIMESTAMPS) {
    const interval = columnInterval(where, field, 'number');
    if (interval && isBounded(interval)) timestamps.set(index, interval);
  }
  const sessionIdRange = columnInterval(where, 'sessionId', 'string');
  const users = columnValues(where, 'userId');
  const sessionIds = columnValues(where, 'sessionId');
  const empty = users?.size === 0 || sessionIds?.size === 0 || sessionIdRange?.empty === true || [...timestamps.values()].some((interval) => interval.empty);
  return {
    users,
    sessionIds,
    timestamps,
    sessionIdRange: sessionIdRange && isBounded(sessionIdRange) ? sessionIdRange : undefined,
    empty,
  };
}

function indexRange(plan: SessionPlan, index: SessionIndex, reverse: boolean): string[] {
  return index === 'byId' ? lexRange(plan.sessionIdRange, reverse) : scoreRange(plan.timestamps.get(index), reverse);
}

/**
 * The index whose order is the query's order within one user, if any. Zset members with
 * equal scores sort by their bytes (= sessionId by code point), so `updatedAt desc,
 * sessionId desc` is exactly ZRANGE ... REV on the updatedAt index.
 */
function orderedIndex(plan: SessionPlan, orderBy: readonly ResolvedOrderTerm[]): { index: SessionIndex; reverse: boolean } | undefined {
  const terms = orderBy.filter((term) => term.field !== 'userId');
  const [first, second] = terms;
  if (!first) return undefined;
  if (first.field === 'sessionId') return { index: 'byId', reverse: first.direction === 'desc' };
  const index = INDEXED_TIMESTAMPS.find(([field]) => field === first.field)?.[1];
  if (!index || second?.field !== 'sessionId' || second.direction !== first.direction) return undefined;
  // Sessions without expiresAt are not in that index: only usable when the filter excludes them.
  if (index === 'byExpiresAt' && !plan.timestamps.has('byExpiresAt')) return undefined;
  return { index, reverse: first.direction === 'desc' };
}

/** Below this many candidates, reading a bounded range and sorting beats streaming an ordered index. */
const SMALL_RANGE = 1_000;

/**
 * Picks one user's candidate source: the named session ids if the filter names them; else,
 * among the index that yields the query's order (a page can stop early) and the indexes
 * the filter bounds (sizes counted in one round trip), the ordered index unless a bounded
 * range is smaller and small enough to read whole; else all of the user's sessions.
 */
export async function chooseSessionSource(
  store: Store,
  userId: string,
  plan: SessionPlan,
  orderBy: readonly ResolvedOrderTerm[],
  want: number,
): Promise<SessionSource> {
  if (plan.sessionIds) return { kind: 'ids', ids: [...plan.sessionIds], ordered: false };
  const ordered = orderedIndex(plan, orderBy);
  const bounded: SessionIndex[] = [...plan.timestamps.keys()];
  if (plan.sessionIdRange) bounded.push('byId');
  const streamed = (index: SessionIndex, reverse: boolean): SessionSource => ({ kind: 'index', index, range: indexRange(plan, index, reverse), ordered: true });
  const whole = (index: SessionIndex): SessionSource => ({ kind: 'index', index, range: indexRange(plan, index, false), ordered: false });
  const others = bounded.filter((index) => index !== ordered?.index);
  if (others.length === 0) return ordered ? streamed(ordered.index, ordered.reverse) : whole(bounded[0] ?? 'byId');
  if (!ordered && others.length === 1) return whole(others[0]!);
  const candidates = ordered ? [ordered.index, ...others] : others;
  const sizes = await countRanges(store, userId, plan, candidates);
  let best = ordered ? 1 : 0;
  for (let i = best; i < candidates.length; i++) if (sizes[i]! < sizes[best]!) best = i;
  if (ordered && Number.isFinite(want) && !(sizes[best]! < sizes[0]! && sizes[best]! <= Math.max(SMALL_RANGE, want * 4))) {
    return streamed(ordered.index, ordered.reverse);
  }
  return whole(candidates[best]!);
}

async function countRanges(store: Store, userId: string, plan: SessionPlan, indexes: readonly SessionIndex[]): Promise<number[]> {
  const keys = store.keys.user(userId);
  const pipeline = store.client.pipeline();
  for (const index of indexes) {
    const [min, max] = indexRange(plan, index, false) as [string, string];
    if (index === 'byId') pipeline.zlexcount(keys.byId, min, max);
    else pipeline.zcount(keys[index], min, max);
  }
  return ((await pipeline.exec()) ?? []).map(([error, count]) => (error ? Number.POSITIVE_INFINITY : Number(count)));
}
