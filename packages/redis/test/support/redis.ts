import { Redis } from 'ioredis';
import type { RawReader } from '@sessions/conformance';
import type { Engine } from '@sessions/core';
import { howToStart, requireTestServer, testServerUrl } from '@sessions/core/testing';
import { KeySpace, RedisEngine, type RedisClient, type RedisEngineOptions } from '../../src/index.js';

/** The server the tests use (a Redis 6.2+); point it at your own with SESSIONS_TEST_REDIS_URL. */
export const REDIS_URL = testServerUrl('redis');

/** A plain client for the tests' own direct reads and cleanup, failing fast when Redis is down. */
export function testClient(): Redis {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  // Connection failures reach the awaiting test; the event would only be logged as unhandled.
  client.on('error', () => undefined);
  return client;
}

/** Throws, with instructions, unless a Redis server answers. A missing server fails the tests; it never skips them. */
export async function requireRedis(): Promise<void> {
  const client = testClient();
  try {
    await requireTestServer('redis', async () => {
      await client.connect();
      await client.ping();
    });
  } finally {
    client.disconnect();
  }
}

let counter = 0;
/** A prefix no other test file or run uses. */
export function randomPrefix(label: string): string {
  counter += 1;
  return `test:${label}:${process.pid}:${Date.now().toString(36)}:${counter}:${Math.random().toString(36).slice(2, 8)}:`;
}

/** Every key under a prefix, by SCAN (fine in tests; the adapter itself never scans). */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const pattern = new KeySpace(prefix).pattern;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

export async function dropPrefix(client: Redis, prefix: string): Promise<void> {
  try {
    const keys = await keysUnder(client, prefix);
    for (let i = 0; i < keys.length; i += 500) await client.unlink(...keys.slice(i, i + 500));
  } catch (cause) {
    if (client.status === 'ready') throw cause;
    throw new Error(howToStart('redis'), { cause });
  }
}

export function testEngine(prefix: string, options: Omit<RedisEngineOptions, 'url' | 'client'> & { client?: Redis } = {}): RedisEngine {
  const { client, ...rest } = options;
  return client ? new RedisEngine({ client, prefix, ...rest }) : new RedisEngine({ url: REDIS_URL, prefix, ...rest });
}

/** Reads what is really stored, with plain Redis commands, bypassing the engine's code. */
export function rawReader(client: RedisClient, engine: Engine): RawReader {
  const keys = new KeySpace((engine as RedisEngine).prefix);
  return {
    async session(key) {
      const hash = await client.hgetall(keys.session(key).session);
      if (hash['session_id'] === undefined) return null;
      return {
        userId: hash['user_id']!,
        sessionId: hash['session_id'],
        title: hash['title'] ?? null,
        metadata: JSON.parse(hash['metadata']!),
        state: JSON.parse(hash['state']!),
        messageCount: Number(hash['message_count']),
        lastSeq: Number(hash['last_seq']),
      };
    },
    async messages(key) {
      const members = await client.zrange(keys.session(key).messages, 0, -1);
      return members.map((member) => {
        const stored = JSON.parse(member) as { seq: number; id: string; role: string; content: unknown };
        return { seq: stored.seq, id: stored.id, role: stored.role, content: stored.content };
      });
    },
  };
}
