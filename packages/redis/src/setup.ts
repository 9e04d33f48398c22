import { SchemaVersionError } from '@sessions/core';
import { abortable } from '@sessions/core/engine';
import type { RedisConnection } from './redis-client.js';
import type { Store } from './store.js';

/** The key layout this version writes; a store written by another layout is refused, not misread. */
export const LAYOUT_VERSION = '1';
const MINIMUM_REDIS: readonly [number, number] = [6, 2];

/** Connects the engine's own client if it is not connected yet; an injected client is used as it is. */
async function connectOwnClient(ownClient: RedisConnection | undefined, signal: AbortSignal | undefined): Promise<void> {
  if (ownClient && (ownClient.status === 'wait' || ownClient.status === 'end')) await abortable(ownClient.connect(), signal);
}

/** The layout version recorded under the prefix as it is stored, or null where none is. A plain GET: it creates nothing. */
async function readLayoutVersion(store: Store, signal: AbortSignal | undefined): Promise<string | null> {
  return abortable(store.client.get(store.keys.schema), signal);
}

/**
 * Connects the engine's own client (an injected one is used as it is), checks the server
 * version (ZRANGE ... BYSCORE/BYLEX/REV needs Redis 6.2) and records the layout version
 * under the prefix, refusing a prefix written by another layout.
 */
export async function setupStore(store: Store, ownClient: RedisConnection | undefined, signal: AbortSignal | undefined): Promise<void> {
  await connectOwnClient(ownClient, signal);
  const info = await abortable(store.client.info('server'), signal);
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  if (version) {
    const [major, minor] = [Number(version[1]), Number(version[2])];
    if (major < MINIMUM_REDIS[0] || (major === MINIMUM_REDIS[0] && minor < MINIMUM_REDIS[1])) {
      throw new Error(`Redis ${major}.${minor} is too old: @sessions/redis needs Redis ${MINIMUM_REDIS.join('.')} or newer`);
    }
  }
  await abortable(store.client.set(store.keys.schema, LAYOUT_VERSION, 'NX'), signal);
  const stored = await readLayoutVersion(store, signal);
  if (stored !== LAYOUT_VERSION) {
    throw new SchemaVersionError(
      '@sessions/redis',
      `the keys under prefix ${JSON.stringify(store.keys.prefix)}`,
      stored === null ? 'none' : Number(stored) || stored,
      Number(LAYOUT_VERSION) || LAYOUT_VERSION,
    );
  }
}

/**
 * The layout version `setupStore` recorded under the prefix, or null where it never ran. Only
 * reads: no key is written, so asking about a mistyped prefix leaves nothing behind.
 */
export async function storedLayoutVersion(store: Store, ownClient: RedisConnection | undefined, signal: AbortSignal | undefined): Promise<number | null> {
  await connectOwnClient(ownClient, signal);
  const stored = await readLayoutVersion(store, signal);
  if (stored === null) return null;
  // Not something setup() writes: the prefix holds another application's key, which no version number describes.
  if (!/^[1-9]\d{0,14}$/.test(stored)) {
    throw new SchemaVersionError('@sessions/redis', `the keys under prefix ${JSON.stringify(store.keys.prefix)}`, stored, Number(LAYOUT_VERSION));
  }
  return Number(stored);
}
