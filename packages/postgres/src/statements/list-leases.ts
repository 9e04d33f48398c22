import { LeaseModel } from '@sessions/core/engine';
import { column } from '../sql/identifiers.js';
import type { TableNames } from '../sql/tables.js';
import { epochMs } from '../sql/timestamps.js';
import { build, type NamedStatement } from './placeholders.js';

/** Which optional conditions a `listLeases` statement has; each shape is its own prepared statement. */
export interface ListLeasesShape {
  readonly byUser: boolean;
  readonly byHeld: boolean;
  readonly after: boolean;
}

/**
 * Lease rows in `(user_id, session_id)` order, which is code point order because the columns are
 * `COLLATE "C"`. The clock is read once, in a CTE (one with a volatile function is never inlined),
 * so `held` and the filter on it agree for every row; it is `clock_timestamp()`, as in the lease
 * statements. Keyset paging is a row comparison, which walks the primary key from the given key.
 */
export function listLeasesStatement(names: TableNames, shape: ListLeasesShape): NamedStatement {
  return build((p) => {
    const userId = column(LeaseModel, 'userId');
    const sessionId = column(LeaseModel, 'sessionId');
    const expiresAt = column(LeaseModel, 'expiresAt');
    const held = `COALESCE(l.${expiresAt} > clock.now, FALSE)`;
    const conditions: string[] = [];
    if (shape.byUser) conditions.push(`l.${userId} = ${p.at('userId', 'text')}`);
    if (shape.after) conditions.push(`(l.${userId}, l.${sessionId}) > (${p.at('afterUserId', 'text')}, ${p.at('afterSessionId', 'text')})`);
    if (shape.byHeld) conditions.push(`${held} = ${p.at('held', 'boolean')}`);
    return `
      WITH clock AS (SELECT clock_timestamp() AS now)
      SELECT l.${userId} AS "userId", l.${sessionId} AS "sessionId", l.${column(LeaseModel, 'owner')} AS owner,
        l.${column(LeaseModel, 'token')} AS token, ${epochMs(`l.${expiresAt}`)} AS "expiresAt", ${held} AS held
      FROM ${names.leases} AS l CROSS JOIN clock
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY l.${userId}, l.${sessionId}
      LIMIT ${p.at('limit', 'bigint')}`;
  });
}
