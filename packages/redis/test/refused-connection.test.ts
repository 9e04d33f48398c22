import { eq, SessionManager, StorageError } from '@sessions/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUrl, RedisEngine } from '../src/index.js';
import { startLocalServer, type LocalServer } from '../test-cluster/local-cluster.js';

// Port 1 on loopback: nothing listens there, so the connection is refused at once.
const REFUSING = 'redis://127.0.0.1:1/0';

describe('a server that refuses the connection', () => {
  it('fails setup() saying the server refused it, and which host:port', async () => {
    const engine = fromUrl(REFUSING);
    const error = await engine.setup().catch((caught: unknown) => caught);
    await engine.close();
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/the Redis server at 127\.0\.0\.1:1 refused the connection/);
    expect((error as Error).message).not.toMatch(/Connection is closed/);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    expect((error as StorageError).kind).toBe('unreachable');
  });

  it('fails storedSchemaVersion() the same way', async () => {
    const engine = fromUrl(REFUSING);
    const error = await engine.storedSchemaVersion().catch((caught: unknown) => caught);
    await engine.close();
    expect((error as Error).message).toMatch(/the Redis server at 127\.0\.0\.1:1 refused the connection/);
  });
});

describe('a server that goes away after setup()', () => {
  const SECRET = 'S3cret-pw';
  let server: LocalServer;
  let engine: RedisEngine;
  const key = { userId: 'u', sessionId: 's' };

  beforeAll(async () => {
    server = await startLocalServer([]);
    const admin = new Redis(server.port, '127.0.0.1');
    await admin.config('SET', 'requirepass', SECRET);
    admin.disconnect();
    // Reconnect attempts every 100 ms, so each call below fails after one attempt, not the default back-off.
    engine = new RedisEngine({ url: `redis://:${SECRET}@127.0.0.1:${server.port}/0`, prefix: 'gone:', redisOptions: { retryStrategy: () => 100 } });
    await engine.setup();
    await new SessionManager({ engine }).create(key);
    await server.stop();
  });
  afterAll(async () => {
    await engine?.close();
    await server?.stop();
  });

  // Every kind of call (read, script, pipeline, lease) goes through the same explanation.
  const operations: Array<[string, () => Promise<unknown>]> = [
    ['getSession', () => engine.getSession(key)],
    ['readMessages', () => engine.readMessages(key)],
    ['append', () => new SessionManager({ engine }).append(key, { id: 'm1', role: 'user', content: 'hi' })],
    ['findMany', () => engine.findMany('sessions', { where: eq('userId', 'u') })],
    ['count', () => engine.count('messages', { where: eq('userId', 'u') })],
    ['acquireLease', () => engine.acquireLease(key, { owner: 'o', ttlMs: 1_000 })],
    ['deleteExpired', () => engine.deleteExpired(new Date())],
  ];
  it.each(operations)('fails %s saying the server refused it, at which host:port, without the password', async (_name, call) => {
    const error = await call().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`the Redis server at 127\\.0\\.0\\.1:${server.port} refused the connection`));
    expect(message).not.toMatch(/Connection is closed/);
    expect(message).not.toContain(SECRET);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(SECRET);
  });
});
