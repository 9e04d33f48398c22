import { afterAll, beforeAll, describe, it } from 'vitest';
import { Redis } from 'ioredis';
import { SessionManager, StorageError } from '@sessions/core';
import { testMessage } from '@sessions/core/testing';
import { RedisEngine } from '../src/index.js';
import { startLocalServer } from '../test-cluster/local-cluster.js';
import { keysUnder } from './support/redis.js';

// A server of this file's own with little memory and no eviction, as a Redis at maxmemory is.
let server: { port: number; stop(): Promise<void> };
let engine: RedisEngine;
let raw: Redis;

beforeAll(async () => {
  server = await startLocalServer(['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction']);
  engine = new RedisEngine({ url: `redis://127.0.0.1:${server.port}`, prefix: 'oom:' });
  await engine.setup();
  raw = new Redis(server.port, '127.0.0.1', { maxRetriesPerRequest: 0 });
});
afterAll(async () => {
  await engine?.close();
  raw?.disconnect();
  await server?.stop();
});

describe('a Redis whose memory is full (maxmemory, noeviction)', () => {
  it('refuses writes with StorageError and leaves every session whole and readable', async ({ expect }) => {
    const sessions = new SessionManager({ engine, limits: { maxMessagesPerAppend: 5_000 } });
    const key = { userId: 'u', sessionId: 'filling' };
    await sessions.create(key);
    let failure: unknown;
    for (let i = 0; i < 500 && failure === undefined; i++) {
      try {
        await sessions.append(
          key,
          Array.from({ length: 50 }, () => ({ role: 'user' as const, content: 'x'.repeat(1_000) })),
        );
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as Error).message).toMatch(/OOM/);
    const stored = await sessions.messages(key);
    expect(stored.length).toBeGreaterThan(0);
    expect(await sessions.get(key)).toMatchObject({ messageCount: stored.length, lastSeq: stored.length });
  });

  it('fails a large create that runs out of memory half-way with StorageError and leaves no key behind', async ({ expect }) => {
    const sessions = new SessionManager({ engine });
    // Room for the first staged chunk (Redis lets a script that started under the limit finish), none for the rest.
    for (const key of await raw.keys('oom:{u}:*')) await raw.del(key);
    const template = await sessions.export(await sessions.create({ userId: 'v', sessionId: 'template' }));
    const messages = Array.from({ length: 12_000 }, (_, i) => {
      const { userId: _user, sessionId: _session, ...message } = testMessage(template.session, { seq: i + 1, id: `m${i}`, content: 'y'.repeat(300) });
      return { ...message, createdAt: template.session.createdAt };
    });
    const before = (await keysUnder(raw, 'oom:')).sort();
    await expect(sessions.import({ ...template, session: { ...template.session, sessionId: 'big', lastSeq: 12_000 }, messages })).rejects.toThrow(/OOM/);
    expect(await sessions.get({ userId: 'v', sessionId: 'big' })).toBeNull();
    expect((await keysUnder(raw, 'oom:')).sort()).toEqual(before);
  });
});
