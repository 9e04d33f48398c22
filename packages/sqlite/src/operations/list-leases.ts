import { compareCodePoints, LeaseModel, type LeaseInfo, type ListLeasesQuery } from '@sessions/core/engine';
import { quoteIdentifier } from '../sql/identifier.js';
import { LIMIT } from '../sql/limit.js';
import type { Store } from '../store.js';

interface LeaseListRow {
  user_id: string;
  session_id: string;
  owner: string;
  token: number;
  expires_at: number | null;
}

/**
 * Lists lease rows in `(userId, sessionId)` order, one read statement (one snapshot) per call.
 * The key columns use SQLite's default BINARY collation, which on this UTF-8 database is
 * code-point order, the order core's `compareCodePoints` defines; the primary key index
 * serves both the order and the `after` keyset, so a page reads only its own rows.
 */
export class LeaseListing {
  readonly #store: Store;
  readonly #table: string;

  constructor(store: Store) {
    this.#store = store;
    this.#table = quoteIdentifier(store.tables.leases);
  }

  list(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    const userId = column('userId');
    const sessionId = column('sessionId');
    const expiresAt = column('expiresAt');
    const conditions: string[] = [];
    // The clock is read as the statement runs; `held` binds it after these.
    const params: unknown[] = [];
    if (query.userId !== undefined) {
      conditions.push(`${userId} = ?`);
      params.push(query.userId);
    }
    if (query.after !== undefined) {
      if (query.userId === undefined) {
        conditions.push(`(${userId}, ${sessionId}) > (?, ?)`);
        params.push(query.after.userId, query.after.sessionId);
      } else {
        // Within one user the keyset is on session_id alone, which the index can seek to
        // (beside `user_id = ?`, SQLite would scan the whole user for a row-value bound).
        const order = compareCodePoints(query.after.userId, query.userId);
        if (order > 0) return Promise.resolve([]);
        if (order === 0) {
          conditions.push(`${sessionId} > ?`);
          params.push(query.after.sessionId);
        }
      }
    }
    if (query.held !== undefined) conditions.push(query.held ? `${expiresAt} > ?` : `(${expiresAt} IS NULL OR ${expiresAt} <= ?)`);
    const sql =
      `SELECT ${userId} AS user_id, ${sessionId} AS session_id, ${column('owner')} AS owner, ${column('token')} AS token, ${expiresAt} AS expires_at ` +
      `FROM ${this.#table}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${userId}, ${sessionId} ${LIMIT}`;
    return this.#store.read(() => {
      // This machine's clock is the store's (see LeaseOperations), read as the statement runs.
      const now = Date.now();
      const bound = query.held === undefined ? [...params, query.limit] : [...params, now, query.limit];
      const rows = this.#store.statement(sql).all(...bound) as LeaseListRow[];
      return rows.map((row) => ({
        userId: row.user_id,
        sessionId: row.session_id,
        owner: row.owner,
        token: row.token,
        expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
        held: row.expires_at !== null && row.expires_at > now,
      }));
    });
  }
}

function column(field: string): string {
  return quoteIdentifier(LeaseModel.fields[field]!.column);
}
