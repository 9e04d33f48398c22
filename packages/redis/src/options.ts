import { ValidationError } from '@sessions/core';
import type { RedisClient, RedisClientOptions } from './redis-client.js';
import type { WaitForReplicas } from './replica-ack.js';

/**
 * Options for `new RedisEngine(...)`. Give exactly one of `url` and `client`.
 *
 * @example
 * new RedisEngine({ url: 'redis://127.0.0.1:6379/0', prefix: 'chat:' })
 * new RedisEngine({ client: existingIoredisClient }) // left open by close()
 */
export interface RedisEngineOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://...` (TLS). The engine creates, and closes, its client. */
  url?: string;
  /** A client the application owns, e.g. an ioredis `Redis` or `Cluster`. The engine never closes it. */
  client?: RedisClient;
  /** Prepended to every key. Must not contain `{` or `}`. Default `'sessions:'`. */
  prefix?: string;
  /** Expiry for sessions created without one: `expiresAt = createdAt + defaultTtlMs`. Default: none. */
  defaultTtlMs?: number;
  /**
   * How long after a session's `expiresAt` Redis may drop its keys by itself (measured from
   * the later of `expiresAt` and the write, on Redis's clock). Expired sessions are hidden by
   * `SessionManager` at once and removed by `deleteExpired()` exactly; this margin only keeps
   * Redis from dropping a session the application, whose clock may lag Redis's, still
   * considers alive. Default 300,000 (5 minutes); 0 drops keys exactly at `expiresAt`.
   */
  expiryGraceMs?: number;
  /**
   * Options for the client created from `url`, under ioredis' names (they override the
   * engine's defaults, `CLIENT_DEFAULTS`). For others, create the client and pass `client`.
   */
  redisOptions?: RedisClientOptions;
  /**
   * Redis replicates asynchronously: a write acknowledged by a master that crashes before a
   * replica received it is lost when that replica takes over. With this option every write
   * is followed by `WAIT replicas timeoutMs`, and fails with `StorageError` (cause
   * `ReplicaAckError`) when fewer replicas acknowledged it in time. It narrows the window
   * (Redis still does not promise that a WAITed write survives every failover) and costs a
   * round trip plus replication latency per write. Keep `timeoutMs` below the client's
   * `commandTimeout` (default 10 s). Default: no waiting.
   *
   * @example
   * new RedisEngine({ client: cluster, waitForReplicas: { replicas: 1, timeoutMs: 1_000 } })
   */
  waitForReplicas?: WaitForReplicas;
}

export interface ResolvedOptions {
  readonly prefix: string;
  readonly defaultTtlMs: number | undefined;
  readonly expiryGraceMs: number;
  readonly waitForReplicas: WaitForReplicas | undefined;
}

export const DEFAULT_PREFIX = 'sessions:';
export const DEFAULT_EXPIRY_GRACE_MS = 300_000;

function wholeMs(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(`must be a whole number of milliseconds >= ${min}, got ${String(value)}`, { path });
  }
  return value;
}

export function resolveOptions(options: RedisEngineOptions): ResolvedOptions {
  return Object.freeze({
    prefix: options.prefix ?? DEFAULT_PREFIX,
    defaultTtlMs: options.defaultTtlMs === undefined ? undefined : wholeMs(options.defaultTtlMs, 'options.defaultTtlMs', 1),
    expiryGraceMs: options.expiryGraceMs === undefined ? DEFAULT_EXPIRY_GRACE_MS : wholeMs(options.expiryGraceMs, 'options.expiryGraceMs', 0),
    waitForReplicas: resolveWait(options.waitForReplicas),
  });
}

function resolveWait(wait: WaitForReplicas | undefined): WaitForReplicas | undefined {
  if (wait === undefined) return undefined;
  if (typeof wait !== 'object' || wait === null) {
    throw new ValidationError('waitForReplicas is { replicas, timeoutMs }, e.g. { replicas: 1, timeoutMs: 1000 }', { path: 'options.waitForReplicas' });
  }
  const replicas = wait.replicas;
  if (typeof replicas !== 'number' || !Number.isSafeInteger(replicas) || replicas < 1) {
    throw new ValidationError(`must be a whole number of replicas >= 1, got ${String(replicas)}`, { path: 'options.waitForReplicas.replicas' });
  }
  return Object.freeze({ replicas, timeoutMs: wholeMs(wait.timeoutMs, 'options.waitForReplicas.timeoutMs', 1) });
}
