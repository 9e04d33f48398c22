import type { Engine } from '@sessions/core';
import { parseEngineUrl } from './connection.js';
import { RedisEngine } from './redis-engine.js';

export { RedisEngine } from './redis-engine.js';
export { CLIENT_DEFAULTS } from './connection.js';
export { escapeId, KeySpace, type SessionKeys, type UserKeys } from './keys.js';
export { DEFAULT_EXPIRY_GRACE_MS, DEFAULT_PREFIX, type RedisEngineOptions } from './options.js';
export type { RedisArg, RedisClient, RedisClientOptions, RedisPipeline } from './redis-client.js';
export { LAYOUT_VERSION } from './setup.js';
export { ReplicaAckError, type WaitForReplicas } from './replica-ack.js';

/**
 * Builds a `RedisEngine` from a URL, for `createEngine`: `redis://[user:password@]host[:port][/db]`
 * or `rediss://...` for TLS. Engine options may ride along as query parameters:
 * `?prefix=chat:&defaultTtlMs=86400000&expiryGraceMs=60000`.
 *
 * @example
 * const engine = await createEngine('redis://127.0.0.1:6379/0?prefix=chat:')
 * await engine.setup()
 */
export function fromUrl(url: string): Engine {
  return new RedisEngine(parseEngineUrl(url));
}
