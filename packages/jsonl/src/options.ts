import { resolve } from 'node:path';
import { ValidationError } from '@sessions/core';
import { describeType, isPlainObject } from '@sessions/core/engine';

export interface JsonlEngineOptions {
  /** The folder holding the store; created by `setup()` if missing. Relative paths resolve against the working directory. */
  dir: string;
  /**
   * fsync each written file and its folder before a write returns, so it survives power
   * loss and not only a crashed process. Default true; false trades that for speed.
   */
  fsync?: boolean;
  /**
   * A lock whose holder's liveness cannot be checked (another host sharing the folder, a system
   * without `/proc`) is presumed abandoned once older than this. A live process on this host is
   * never overtaken, and one that is gone is overtaken at once. Default 30,000 ms.
   */
  lockStaleMs?: number;
  /**
   * How long a write waits for another process's lock before failing. Default 60,000 ms: longer than
   * `lockStaleMs`, so a waiter outlasts a lock whose holder cannot be checked and died unnoticed.
   */
  lockTimeoutMs?: number;
  /** How many sessions' message indexes to keep in memory. Default 256. */
  indexCacheSize?: number;
  /** The store's clock for lease expiry, in epoch ms. Default `Date.now`: every process sharing the folder must agree on it. */
  clock?: () => number;
}

export interface ResolvedOptions {
  readonly dir: string;
  readonly fsync: boolean;
  readonly lockStaleMs: number;
  readonly lockTimeoutMs: number;
  readonly indexCacheSize: number;
  readonly clock: () => number;
}

export function resolveOptions(options: JsonlEngineOptions): ResolvedOptions {
  if (!isPlainObject(options)) throw new ValidationError(`expected { dir }, got ${describeType(options)}`, { path: 'options' });
  const { dir } = options;
  if (typeof dir !== 'string' || dir.length === 0)
    throw new ValidationError('needs the folder to store sessions in, e.g. { dir: "./data" }', { path: 'options.dir' });
  if (dir.includes('\u0000')) throw new ValidationError('must not contain a NUL character', { path: 'options.dir' });
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') throw new ValidationError('must be true or false', { path: 'options.fsync' });
  if (options.clock !== undefined && typeof options.clock !== 'function')
    throw new ValidationError('must be a function returning epoch milliseconds', { path: 'options.clock' });
  return Object.freeze({
    dir: resolve(dir),
    fsync: options.fsync ?? true,
    lockStaleMs: positive(options.lockStaleMs, 30_000, 'options.lockStaleMs'),
    lockTimeoutMs: positive(options.lockTimeoutMs, 60_000, 'options.lockTimeoutMs'),
    indexCacheSize: positive(options.indexCacheSize, 256, 'options.indexCacheSize'),
    clock: options.clock ?? Date.now,
  });
}

function positive(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new ValidationError(`must be a whole number above 0, got ${String(value)}`, { path });
  return value;
}
