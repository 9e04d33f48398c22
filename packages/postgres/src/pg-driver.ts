import { createRequire } from 'node:module';
import { AdapterNotInstalledError } from '@sessions/core';
import type { PgPool } from './pg-client.js';

/** The part of `pg`'s module the engine uses: its pool, created from a connection string. */
export interface PgDriver {
  Pool: new (config: PgPoolConfig) => PgPool & { on(event: 'error', listener: (error: Error) => void): unknown };
}

/** The `pg.Pool` settings the engine uses for the pool it creates. */
export interface PgPoolConfig {
  connectionString: string;
  max: number;
  connectionTimeoutMillis: number;
  keepAlive: boolean;
  keepAliveInitialDelayMillis: number;
  /** Makes each connection's socket, so `close()` can destroy the ones a silent server keeps open. */
  stream: () => import('node:net').Socket;
}

export type LoadModule = (id: string) => unknown;

const requireFromHere: LoadModule = createRequire(import.meta.url);

/**
 * Loads `pg` when an engine has to create its own pool, not when this package is imported: an
 * engine given a pool never needs it, and a missing peer dependency becomes an
 * `AdapterNotInstalledError` that says what to install instead of an import failure (which
 * `createEngine` could not tell from a missing `@sessions/postgres`). `pg` is CommonJS, so it is
 * required synchronously and the constructor stays synchronous.
 */
export function loadPg(connectionString: string, load: LoadModule = requireFromHere): PgDriver {
  let module: unknown;
  try {
    module = load('pg');
  } catch (error) {
    // Only pg itself missing counts: a file missing inside an installed pg is a broken install.
    if (isMissingModule(error, 'pg')) throw new AdapterNotInstalledError('pg', connectionString, { cause: error });
    throw error;
  }
  const driver = (module as { default?: PgDriver }).default ?? (module as PgDriver);
  if (typeof driver?.Pool !== 'function') throw new TypeError('the installed pg exports no Pool; @sessions/postgres needs pg >= 8.11');
  return driver;
}

function isMissingModule(error: unknown, id: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${id}'`);
}
