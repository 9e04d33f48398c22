/**
 * The part of a better-sqlite3 `Database` this engine uses. Typed here, Kysely-style, so
 * better-sqlite3's own types never leak into the public API: any object with these members
 * (a `Database` from better-sqlite3 11 or later) can be injected.
 */
export interface SqliteDatabase {
  /** The file name given when it was opened (`:memory:` or `''` for in-memory databases). */
  readonly name: string;
  readonly memory: boolean;
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<F extends VariableArgFunction>(fn: F): SqliteTransaction<F>;
  close(): unknown;
}

export interface SqliteRunResult {
  changes: number;
}

export interface SqliteStatement {
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

// Spelled as better-sqlite3's own declarations spell them, so its Database is assignable.
type VariableArgFunction = (...params: any[]) => unknown;
type ArgumentTypes<F extends VariableArgFunction> = F extends (...args: infer A) => unknown ? A : never;

/** A function wrapped by `db.transaction(fn)`; `immediate` runs it inside `BEGIN IMMEDIATE`. */
export interface SqliteTransaction<F extends VariableArgFunction> {
  (...params: ArgumentTypes<F>): ReturnType<F>;
  immediate(...params: ArgumentTypes<F>): ReturnType<F>;
}

/** The better-sqlite3 constructor, as far as the engine calls it. */
export type SqliteDatabaseConstructor = new (filename: string, options?: { timeout?: number; readonly?: boolean; fileMustExist?: boolean }) => SqliteDatabase;

/** A row as the driver returns it: column name to value. */
export type SqliteRow = Record<string, unknown>;
