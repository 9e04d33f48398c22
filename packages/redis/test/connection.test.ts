import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { EngineClosedError, SessionManager, StorageError } from '@sessions/core';
import type { Redis } from 'ioredis';
import type { RedisEngine } from '../src/index.js';
import { FaultProxy } from '@sessions/test-support';
import { dropPrefix, randomPrefix, REDIS_URL, requireRedis, testClient, testEngine } from './support/redis.js';
import { RedisEngine as Engine } from '../src/index.js';

const client = testClient();
const prefix = randomPrefix('connection');
const engines: RedisEngine[] = [];
let proxy: FaultProxy;

beforeAll(async () => {
  await requireRedis();
  const target = new URL(REDIS_URL);
  proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
});
afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.close()));
  await proxy?.close();
  await dropPrefix(client, prefix);
  await client.quit();
});

function throughProxy(): RedisEngine {
  const engine = new Engine({ url: proxy.url(REDIS_URL), prefix });
  engines.push(engine);
  return engine;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

describe('connection loss', () => {
  it('fails setup with StorageError when nothing listens at the URL, and can still be closed', async ({ expect }) => {
    const engine = new Engine({ url: `redis://127.0.0.1:${await closedPort()}`, prefix });
    const error = await engine.setup().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/\[redis\] setup failed/);
    expect((error as StorageError).cause).toBeInstanceOf(Error);
    await engine.close();
  }, 20_000);

  it('surfaces a connection dropped mid-call as StorageError, never replays the call, and recovers on the next call', async ({ expect }) => {
    proxy.pass();
    const engine = throughProxy();
    await engine.setup();
    const manager = new SessionManager({ engine });
    const key = { userId: 'connection-user', sessionId: 'dropped-mid-call' };
    await manager.create(key);
    proxy.blackhole({ only: 'replies' });
    const inFlight = manager.append(key, { role: 'user', content: 'reply lost on the way back' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.reset();
    const error = await inFlight.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    proxy.pass();
    // The script ran before the cut; only its reply was lost. It must not have run a second time.
    expect((await manager.messages(key)).map((message) => message.content)).toEqual(['reply lost on the way back']);
    await manager.append(key, { role: 'user', content: 'after recovery' });
    expect((await manager.get(key))!.lastSeq).toBe(2);
  }, 20_000);

  it('fails calls while Redis is unreachable instead of queueing them forever, and recovers when it is back', async ({ expect }) => {
    proxy.pass();
    const engine = throughProxy();
    await engine.setup();
    const key = { userId: 'connection-user', sessionId: 'outage' };
    proxy.reset();
    await expect(engine.getSession(key)).rejects.toBeInstanceOf(StorageError);
    await expect(engine.acquireLease(key, { owner: 'o', ttlMs: 1_000 })).rejects.toBeInstanceOf(StorageError);
    proxy.pass();
    expect(await engine.getSession(key)).toBeNull();
  }, 30_000);

  it('reconnects by itself after its connection is killed server-side', async ({ expect }) => {
    const engine = testEngine(prefix);
    engines.push(engine);
    await engine.setup();
    const id = await engine.client.call('CLIENT', 'ID');
    await client.call('CLIENT', 'KILL', 'ID', String(id));
    const key = { userId: 'connection-user', sessionId: 'killed' };
    const attempt = await engine.getSession(key).then(
      () => 'ok',
      (error: unknown) => error,
    );
    // The kill may race the call; either way the engine answers again right after.
    if (attempt !== 'ok') expect(attempt).toBeInstanceOf(StorageError);
    expect(await engine.getSession(key)).toBeNull();
    expect(await engine.client.call('CLIENT', 'ID')).not.toBe(id);
  }, 20_000);

  it('closes its own client, leaves an injected one open, and refuses calls after close', async ({ expect }) => {
    const own = testEngine(prefix);
    await own.setup();
    await own.close();
    await own.close();
    expect((own.client as Redis).status).toBe('end');
    await expect(own.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(EngineClosedError);

    const injected = testClient();
    const borrowed = testEngine(prefix, { client: injected });
    await borrowed.setup();
    await borrowed.close();
    expect(await injected.ping()).toBe('PONG');
    await injected.quit();
  });
});

describe('round trips', () => {
  async function countedEngine() {
    proxy.pass();
    const engine = throughProxy();
    await engine.setup();
    const manager = new SessionManager({ engine });
    const count = async (body: () => Promise<unknown>) => {
      const before = proxy.roundTrips;
      await body();
      return proxy.roundTrips - before;
    };
    return { engine, manager, count };
  }

  it('costs one round trip for a fenced append, a read of the last messages (with or without liveAt), and each lease operation', async ({ expect }) => {
    const { engine, manager, count } = await countedEngine();
    const key = { userId: 'round-trips', sessionId: 's' };
    await manager.create(key);
    // First use of each script on a connection sends EVAL with the source; warm them up.
    const warm = await manager.acquire(key);
    await manager.append(key, { role: 'user', content: 'warm' }, { lease: warm });
    await manager.renew(warm);
    await manager.release(warm);

    let lease = warm;
    expect(await count(async () => (lease = await manager.acquire(key)))).toBe(1);
    expect(
      await count(() =>
        manager.append(
          key,
          [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'a' },
          ],
          { lease },
        ),
      ),
    ).toBe(1);
    expect(await count(() => manager.messages(key, { last: 50 }))).toBe(1);
    expect(await count(() => engine.readMessages(key, { last: 50 }))).toBe(1);
    expect(await count(() => manager.get(key))).toBe(1);
    expect(await count(async () => (lease = await manager.renew(lease)))).toBe(1);
    expect(await count(() => manager.release(lease))).toBe(1);
    expect(await count(() => engine.findMany('sessions', { where: { op: 'eq', field: 'userId', value: key.userId } }))).toBeLessThanOrEqual(2);
  });
});
