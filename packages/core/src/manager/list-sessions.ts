import type { Engine } from '../engine/engine.js';
import { and, eq, gt, isNull, or } from '../filter/builders.js';
import type { Filter } from '../filter/types.js';
import type { Session } from '../models/session-model.js';
import { decodeCursor, encodeCursor, type ListOrder } from './cursor.js';
import type { LIST_OPTIONS } from './manager-inputs.js';

export interface ListResult {
  sessions: Session[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const NEWEST_ACTIVITY_FIRST: ListOrder = { field: 'updatedAt', direction: 'desc' };
const DEFAULT_PAGE_SIZE = 20;

/** One keyset page of a user's live sessions as of `now`, ordered by `orderBy` and then sessionId. */
export async function listSessions(engine: Engine, options: ReturnType<typeof LIST_OPTIONS.parse>, now: Date): Promise<ListResult> {
  const order = options.orderBy ?? NEWEST_ACTIVITY_FIRST;
  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  const filters: Filter[] = [eq('userId', options.userId), or(isNull('expiresAt'), gt('expiresAt', now))];
  if (!options.includeArchived) filters.push(eq('status', 'active'));
  if (options.where !== undefined) filters.push(options.where);
  if (options.cursor) filters.push(decodeCursor(options.cursor, order));
  const rows = await engine.findMany('sessions', {
    where: and(...filters),
    orderBy: [order, { field: 'sessionId', direction: order.direction }],
    limit: limit + 1,
  });
  const sessions = rows.slice(0, limit);
  const last = sessions.at(-1);
  return { sessions, nextCursor: rows.length > limit && last ? encodeCursor(last, order) : null };
}
