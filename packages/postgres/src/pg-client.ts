/**
 * The slice of `pg` the engine uses, typed here so `pg`'s own types never leak into this
 * package's public API. A `pg.Pool` satisfies `PgPool`.
 */
export interface PgQueryConfig {
  text: string;
  values?: unknown[];
  /** Prepares the statement once per connection under this name. */
  name?: string;
  types?: PgTypeParsers;
}

export interface PgTypeParsers {
  getTypeParser(oid: number, format?: string): (value: string) => unknown;
}

export interface PgQueryResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number | null;
}

export interface PgQueryable {
  query(config: PgQueryConfig): Promise<PgQueryResult>;
}

/** A connection checked out of a pool, for the few operations that need a transaction. */
export interface PgPoolClient extends PgQueryable {
  /** Returns the connection; passing an error or `true` destroys it instead. */
  release(destroy?: Error | boolean): void;
  /** pg's clients are event emitters; the engine listens for socket errors while it holds one. */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
}

/** A connection pool: `pg.Pool`, or anything with the same `query`/`connect`/`end`. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
}
