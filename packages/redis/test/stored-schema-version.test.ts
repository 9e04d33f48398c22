import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Redis } from 'ioredis';
import { EngineClosedError, NotSetUpError, SchemaVersionError, StorageError } from '@sessions/core';
import { KeySpace, LAYOUT_VERSION, RedisEngine } from '../src/index.js';
import { redisFileScope } from './support/file-scope.js';
import { monitorDuring } from './support/monitor.js';
import { keysUnder, randomPrefix, REDIS_URL, testClient, testEngine } from './support/redis.js';
import { FaultProxy } from '@sessions/test-support';

const { client, prefixes, engines } = redisFileScope();

function freshPrefix(): string {
  const prefix = randomPrefix('stored-version');
  prefixes.push(prefix);
  return prefix;
}

function engineOn(prefix: string, options: Parameters<typeof testEngine>[1] = {}): RedisEngine {
  const engine = testEngine(prefix, options);
  engines.push(engine);
  return engine;
}

describe('storedSchemaVersion', () => {
  it('is null on a prefix never set up, asked before setup(), and asking writes no key', async ({ expect }) => {
    const prefix = freshPrefix();
    const engine = engineOn(prefix);
    let answer: number | null | undefined;
    const commands = await monitorDuring(REDIS_URL, async () => {
      answer = await engine.storedSchemaVersion();
    });
    expect(answer).toBeNull();
    expect(await keysUnder(client, prefix)).toEqual([]);
    // The only command that names a key under the prefix is one GET of the schema key.
    const touching = commands.filter((command) => command.args.slice(1).some((arg) => arg.startsWith(prefix)));
    expect(touching.map((command) => [command.args[0]!.toUpperCase(), ...command.args.slice(1)])).toEqual([['GET', new KeySpace(prefix).schema]]);
    // Asking is not setting up.
    await expect(engine.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(NotSetUpError);
  });

  it('reports LAYOUT_VERSION after setup(), and another engine on the prefix sees it before its own setup()', async ({ expect }) => {
    const prefix = freshPrefix();
    const engine = engineOn(prefix);
    await engine.setup();
    expect(await engine.storedSchemaVersion()).toBe(Number(LAYOUT_VERSION));
    expect(await client.get(new KeySpace(prefix).schema)).toBe(LAYOUT_VERSION);

    const other = engineOn(prefix);
    expect(await other.storedSchemaVersion()).toBe(Number(LAYOUT_VERSION));
    await expect(other.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(NotSetUpError);
    await other.close();
    expect((other.client as Redis).status).toBe('end');
    await expect(other.storedSchemaVersion()).rejects.toBeInstanceOf(EngineClosedError);
  });

  it('works on an injected client that is not connected yet, and leaves it open on close()', async ({ expect }) => {
    const prefix = freshPrefix();
    await engineOn(prefix).setup();
    const injected = testClient();
    const engine = engineOn(prefix, { client: injected });
    expect(await engine.storedSchemaVersion()).toBe(Number(LAYOUT_VERSION));
    await engine.close();
    expect(await injected.ping()).toBe('PONG');
    await injected.quit();
  });

  it('reports the version another layout recorded, which setup() then refuses', async ({ expect }) => {
    const prefix = freshPrefix();
    await client.set(new KeySpace(prefix).schema, '2');
    const engine = engineOn(prefix);
    expect(await engine.storedSchemaVersion()).toBe(2);
    await expect(engine.setup()).rejects.toBeInstanceOf(SchemaVersionError);
  });

  it('refuses with SchemaVersionError a schema key holding something no layout records', async ({ expect }) => {
    const prefix = freshPrefix();
    await client.set(new KeySpace(prefix).schema, 'not-a-version');
    const error = await engineOn(prefix)
      .storedSchemaVersion()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect((error as SchemaVersionError).found).toBe('not-a-version');
    expect(await client.get(new KeySpace(prefix).schema)).toBe('not-a-version');
  });

  it('fails with StorageError, keeping the driver error as cause, when nothing listens at the URL', async ({ expect }) => {
    const engine = new RedisEngine({ url: 'redis://127.0.0.1:1', prefix: freshPrefix() });
    engines.push(engine);
    const error = await engine.storedSchemaVersion().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/\[redis\] storedSchemaVersion failed/);
    expect((error as StorageError).cause).toBeInstanceOf(Error);
    expect((error as StorageError).cause).not.toBeInstanceOf(StorageError);
    await engine.close();
  }, 20_000);

  describe('with an AbortSignal', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      const target = new URL(REDIS_URL);
      proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
    });
    afterAll(() => proxy?.close());

    it('rejects with the signal reason when aborted while it waits for Redis', async ({ expect }) => {
      const engine = new RedisEngine({ url: proxy.url(REDIS_URL), prefix: freshPrefix() });
      engines.push(engine);
      proxy.blackhole({ only: 'replies' });
      try {
        const controller = new AbortController();
        const asking = engine.storedSchemaVersion({ signal: controller.signal });
        const reason = new Error('gave up');
        controller.abort(reason);
        // The wait ends on abort, replies still held.
        await expect(asking).rejects.toBe(reason);
      } finally {
        proxy.pass();
      }
      await engine.close();
    });

    it('rejects at once with a signal aborted before the call', async ({ expect }) => {
      const engine = engineOn(freshPrefix());
      const reason = new Error('already aborted');
      await expect(engine.storedSchemaVersion({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    });
  });
});
