import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { AdapterNotInstalledError, StorageError } from '@sessions/core';
import { retryWhileBusy } from './busy.js';
import type { SqliteDatabase, SqliteDatabaseConstructor } from './database.js';
import { MEMORY_PATH, type ResolvedSqliteOptions } from './options.js';
import { storageErrorKind } from './sqlite-errors.js';

const ENGINE = 'sqlite';

/**
 * Opens the file with better-sqlite3, loaded on first use so importing this package never fails.
 * With `mustExist`, a missing file is not created and the result is undefined instead.
 */
export async function openDatabase(path: string, options: ResolvedSqliteOptions): Promise<SqliteDatabase>;
export async function openDatabase(path: string, options: ResolvedSqliteOptions, open: { mustExist: true }): Promise<SqliteDatabase | undefined>;
export async function openDatabase(path: string, options: ResolvedSqliteOptions, open?: { mustExist: true }): Promise<SqliteDatabase | undefined> {
  let Database: SqliteDatabaseConstructor;
  try {
    Database = ((await import('better-sqlite3')) as unknown as { default: SqliteDatabaseConstructor }).default;
  } catch (error) {
    throw new AdapterNotInstalledError('better-sqlite3', `sqlite:${path}`, { cause: error });
  }
  try {
    return new Database(path, { timeout: options.busyTimeoutMs, fileMustExist: open?.mustExist ?? false });
  } catch (error) {
    // Without SQLITE_OPEN_CREATE SQLite refuses a missing file itself, so there is no window
    // in which it could be created; the check after the fact only tells "missing" from the rest.
    if (open?.mustExist && isMissing(path)) return undefined;
    throw new StorageError(ENGINE, `open ${JSON.stringify(path)}`, explainOpenFailure(path, error), { kind: storageErrorKind(error) });
  }
}

/** Only "no such file" is missing: a path we may not look at is a failure to report, not an empty store. */
function isMissing(path: string): boolean {
  try {
    statSync(path);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function explainOpenFailure(path: string, error: unknown): unknown {
  const isDirectory = (target: string) => {
    try {
      return statSync(target).isDirectory();
    } catch {
      return undefined;
    }
  };
  if (isDirectory(path)) return new Error(`${path} is a directory: give the path of a database file inside it, e.g. ${path}/sessions.db`, { cause: error });
  if (isDirectory(dirname(path)) === undefined) return new Error(`the directory ${dirname(path)} does not exist: create it first`, { cause: error });
  return error;
}

/**
 * Puts a connection in the state the engine's guarantees rest on: UTF-8 text (BINARY
 * collation is then code-point order), WAL (readers never block the writer, and a commit is
 * one append to the log), the chosen `synchronous`, and a short driver busy timeout.
 */
export async function configureConnection(db: SqliteDatabase, options: ResolvedSqliteOptions, signal: AbortSignal | undefined): Promise<void> {
  db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  // Reading the header and switching to WAL both need the file's lock for a moment, and
  // another process may be setting up the same new file right now.
  const whileBusy = <T>(attempt: () => T) => retryWhileBusy(attempt, options.retryTimeoutMs, signal);
  const encoding = await whileBusy(() => String(db.pragma('encoding', { simple: true })));
  if (encoding !== 'UTF-8') {
    throw new Error(`the database uses ${encoding} text encoding; @sessions/sqlite needs UTF-8 so that text sorts by code point`);
  }
  if (!isInMemory(db)) {
    const mode = await whileBusy(() => String(db.pragma('journal_mode = WAL', { simple: true })));
    if (mode.toLowerCase() !== 'wal') {
      throw new Error(`could not switch the database to WAL journal mode (it stays in ${mode} mode); is the file read-only or on a network file system?`);
    }
  }
  db.pragma(`synchronous = ${options.synchronous}`);
}

export function isInMemory(db: SqliteDatabase): boolean {
  return db.memory || db.name === MEMORY_PATH || db.name === '';
}
