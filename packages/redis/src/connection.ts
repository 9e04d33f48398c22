import { createRequire } from 'node:module';
import { AdapterNotInstalledError, ValidationError } from '@sessions/core';
import { parseConnectionUrl } from '@sessions/core/engine';
import type { RedisEngineOptions } from './options.js';
import type { RedisClientOptions, RedisConnection } from './redis-client.js';
import { takeClientOptions } from './url-client-options.js';

/** What the engine takes from the ioredis module (its type tests check ioredis fits it). */
export interface IoredisModule {
  Redis: new (url: string, options: RedisClientOptions) => RedisConnection;
}

const require = createRequire(import.meta.url);

/**
 * Loads ioredis when a client is first created rather than at import, so that without it
 * installed `createEngine('redis://...')` fails with AdapterNotInstalledError, not a bare module
 * error, and an engine given a client never needs it. `require` keeps the constructor
 * synchronous: ioredis is CommonJS, and Node >= 20.19 (our floor) can require an ES module too.
 */
export function loadIoredis(url: string, load: (id: string) => unknown = require): IoredisModule {
  try {
    return load('ioredis') as IoredisModule;
  } catch (error) {
    // Only ioredis itself missing counts: a file missing inside it is a broken install, left as it is.
    const code = (error as { code?: string } | null)?.code;
    if (code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(`'ioredis'`)) {
      throw new AdapterNotInstalledError('ioredis', url, { cause: error });
    }
    throw error;
  }
}

/**
 * Defaults for the client the engine creates from a URL. They make every call end: an
 * outage fails calls instead of queueing them forever, and a write whose reply was lost is
 * never sent again behind the caller's back (its outcome is unknown, so the caller decides).
 */
export const CLIENT_DEFAULTS: Readonly<RedisClientOptions> = Object.freeze({
  lazyConnect: true,
  connectionName: 'sessions',
  connectTimeout: 5_000,
  /** A command without a reply after this long fails (with StorageError). */
  commandTimeout: 10_000,
  /** Commands in flight or queued when the connection drops fail at once... */
  maxRetriesPerRequest: 0,
  /** ...and are never replayed on the new connection (a replayed append could land twice). */
  autoResendUnfulfilledCommands: false,
  /** Calls made while reconnecting wait for that attempt, then go through or fail. */
  enableOfflineQueue: true,
  /** Reconnects in the background forever, backing off to 2 s, so the engine recovers by itself. */
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
  keepAlive: 10_000,
});

const URL_SHAPE = { schemes: ['redis:', 'rediss:'], example: 'redis://host:6379/0 (rediss:// for TLS)' } as const;

export function createClient(url: string, overrides: RedisClientOptions = {}): RedisConnection {
  parseConnectionUrl(url, { ...URL_SHAPE, path: 'options.url' });
  // ioredis reads TLS from the scheme only when it is spelled in lower case.
  const normalized = url.replace(/^rediss?:/i, (scheme) => scheme.toLowerCase());
  const { Redis } = loadIoredis(url);
  return new Redis(normalized, { ...CLIENT_DEFAULTS, ...overrides });
}

/**
 * How ioredis fails a command while it has no connection: "Connection is closed." (it could
 * not make one, or lost it under the command) or, queued while reconnecting, "Reached the max
 * retries per request limit". Neither says why.
 */
function isNoConnectionError(error: unknown): error is Error {
  return error instanceof Error && (error.message === 'Connection is closed.' || error.name === 'MaxRetriesPerRequestError');
}

/**
 * When the engine's own client saw a connection error and is not connected, replaces
 * ioredis' "no connection" errors by what happened, and where (the address only, never the
 * URL, which may hold a password). Any other error is returned as it is.
 */
export function explainConnectionFailure(error: unknown, client: RedisConnection | undefined, lastConnectionError: Error | undefined): unknown {
  if (!client || !lastConnectionError || client.status === 'ready' || !isNoConnectionError(error)) return error;
  const code = (lastConnectionError as { code?: unknown }).code;
  const where = client.options.path ?? `${client.options.host ?? 'localhost'}:${client.options.port ?? 6379}`;
  const what = code === 'ECONNREFUSED' ? 'refused the connection' : `could not be reached (${lastConnectionError.message})`;
  const explained = new Error(`the Redis server at ${where} ${what}: check that it is running and that the URL names it`, { cause: lastConnectionError });
  return typeof code === 'string' ? Object.assign(explained, { code }) : explained;
}

const ENGINE_PARAMS = ['prefix', 'defaultTtlMs', 'expiryGraceMs'] as const;

/**
 * Splits an engine URL into the Redis URL and engine options given as query parameters:
 * `redis://host:6379/2?prefix=chat:&defaultTtlMs=86400000`. Numeric ioredis options become
 * `redisOptions` (ioredis would read them as strings); the rest go to ioredis.
 */
export function parseEngineUrl(url: string): RedisEngineOptions & { url: string } {
  const parsed = parseConnectionUrl(url, URL_SHAPE);
  const options: RedisEngineOptions = {};
  for (const name of ENGINE_PARAMS) {
    const value = parsed.searchParams.get(name);
    if (value === null) continue;
    parsed.searchParams.delete(name);
    if (name === 'prefix') options.prefix = value;
    else {
      if (!/^\d+$/.test(value))
        throw new ValidationError(`${name} must be a whole number of milliseconds, got ${JSON.stringify(value)}`, { path: `url.${name}` });
      options[name] = Number(value);
    }
  }
  const redisOptions = takeClientOptions(parsed.searchParams);
  return { ...options, ...(Object.keys(redisOptions).length > 0 ? { redisOptions } : {}), url: parsed.toString() };
}
