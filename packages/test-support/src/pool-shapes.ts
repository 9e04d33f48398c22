import type { PoolShape } from './counting-pool.js';

/** A statement as `pg` takes it: a config object. */
export interface PgStatement {
  readonly text: string;
  readonly values?: unknown[];
  readonly name?: string;
}

/** `pg.Pool`: statements go through `query`, connections come from `connect`. */
export const PG_POOL: PoolShape<PgStatement> = Object.freeze({ sends: ['query'], checkouts: ['connect'] });

/** A `mysql2/promise` pool: statements go through `execute` and `query`; logged as their SQL text. */
export const MYSQL2_POOL: PoolShape<string> = Object.freeze({
  sends: ['execute', 'query'],
  checkouts: ['getConnection'],
  record: (statement: unknown) => (typeof statement === 'string' ? statement : (statement as { sql: string }).sql),
});
