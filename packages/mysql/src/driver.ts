/**
 * The part of a mysql2 (`mysql2/promise`) pool the engine uses. A pool made by
 * `mysql.createPool(...)` satisfies it; the engine depends on nothing else, so mysql2's
 * own types stay out of this package's public API.
 */
export interface MysqlPool extends MysqlQueryable {
  getConnection(): Promise<MysqlPoolConnection>;
  end(): Promise<void>;
}

/** A connection checked out of a `MysqlPool`. */
export interface MysqlPoolConnection extends MysqlQueryable {
  release(): void;
  destroy(): void;
}

export interface MysqlQueryable {
  execute(options: StatementOptions, values?: any): Promise<[any, any]>;
  query(sql: string): Promise<[any, any]>;
}

/** Per-statement options: they override whatever the pool was configured with. */
export interface StatementOptions {
  sql: string;
  rowsAsArray?: boolean;
  namedPlaceholders?: boolean;
}

/** What mysql2 resolves a write statement with. */
export interface WriteResult {
  affectedRows: number;
  insertId: number;
  info?: string;
}

/** A value sent as a bound parameter: never spliced into SQL text. */
export type SqlParam = string | number | bigint | null;

/** Runs a write statement (INSERT, UPDATE, DELETE) as a server-side prepared statement. */
export async function write(target: MysqlQueryable, sql: string, params: readonly SqlParam[]): Promise<WriteResult> {
  const [result] = await target.execute({ sql, namedPlaceholders: false }, params);
  return result as WriteResult;
}

/** Runs a query and returns its rows as arrays, in the order of the select list. */
export async function select(target: MysqlQueryable, sql: string, params: readonly SqlParam[]): Promise<unknown[][]> {
  const [rows] = await target.execute({ sql, rowsAsArray: true, namedPlaceholders: false }, params);
  return rows as unknown[][];
}

/** Calls a stored procedure and returns the rows of the first result set it produced. */
export async function call(target: MysqlQueryable, sql: string, params: readonly SqlParam[]): Promise<unknown[][]> {
  const [results] = await target.execute({ sql, rowsAsArray: true, namedPlaceholders: false }, params);
  return (Array.isArray(results) && Array.isArray(results[0]) ? results[0] : []) as unknown[][];
}

/**
 * Rows an UPDATE matched, whether or not it changed them. mysql2 asks for found rows by
 * default (CLIENT_FOUND_ROWS) but an injected pool may not, so the server's own count in
 * the info message wins over `affectedRows`.
 */
export function matchedRows(result: WriteResult): number {
  const matched = /Rows matched:\s*(\d+)/.exec(result.info ?? '');
  return matched ? Number(matched[1]) : result.affectedRows;
}
