import { ValidationError } from '@sessions/core';
import type { RedisClientOptions } from './redis-client.js';

/**
 * ioredis options that are numbers. ioredis hands URL parameters on as strings, and a string
 * `connectTimeout` crashed the process (socket.setTimeout throws inside a callback), so these
 * are taken out of the URL and given to ioredis as numbers.
 */
const NUMERIC_OPTIONS = [
  'connectTimeout',
  'commandTimeout',
  'socketTimeout',
  'keepAlive',
  'family',
  'db',
  'maxRetriesPerRequest',
  'maxLoadingRetryTime',
] as const;

/** Options the engine's guarantees rest on (see CLIENT_DEFAULTS), or that would move its keys. */
const ENGINE_OWNED_OPTIONS: Readonly<Record<string, string>> = {
  keyPrefix: 'the engine prefixes its keys itself: use ?prefix= instead',
  autoResendUnfulfilledCommands: "the engine never lets a write be replayed behind the caller's back",
  enableOfflineQueue: 'the engine decides how calls wait for a reconnection',
  lazyConnect: 'the engine connects in setup()',
};

/**
 * Takes the ioredis options out of an engine URL's query that ioredis would misread, returning
 * them as options; refuses, by name, those the engine depends on. What is left goes to ioredis.
 */
export function takeClientOptions(query: URLSearchParams): RedisClientOptions {
  const options: Record<string, number> = {};
  for (const [name, reason] of Object.entries(ENGINE_OWNED_OPTIONS)) {
    if (query.has(name)) throw new ValidationError(`the redis: URL may not set ${name}: ${reason}`, { path: 'url' });
  }
  for (const name of NUMERIC_OPTIONS) {
    const value = query.get(name);
    if (value === null) continue;
    if (!/^\d+$/.test(value)) throw new ValidationError(`${name} in the redis: URL must be a whole number`, { path: 'url' });
    options[name] = Number(value);
    query.delete(name);
  }
  return options;
}
