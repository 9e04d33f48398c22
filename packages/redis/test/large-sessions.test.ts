import { afterAll, describe, it } from 'vitest';
import { SessionExistsError, SessionManager, StorageError, type SessionKey } from '@sessions/core';
import { Redis } from 'ioredis';
import { KeySpace, type RedisEngine } from '../src/index.js';
import { redisFileScope } from './support/file-scope.js';
import { keysUnder, randomPrefix, REDIS_URL, testEngine } from './support/redis.js';

const { client, prefixes, engines } = redisFileScope();

/** Enough messages to be staged in three chunks rather than sent inline. */
const STAGED = 12_000;

/** An engine on a prefix of its own; with `own`, on a client the test holds (to intercept its commands). */
async function engineOn(own?: Redis): Promise<RedisEngine> {
  const prefix = randomPrefix('large');
  prefixes.push(prefix);
  const engine = testEngine(prefix, own ? { client: own } : {});
  engines.push(engine);
  await engine.setup();
  return engine;
}

const ownClients: Redis[] = [];
afterAll(() => ownClients.forEach((own) => own.disconnect()));

/** A client of the test's own for an engine (which leaves injected clients open). */
function ownClient(): Redis {
  const own = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
  own.on('error', () => undefined);
  ownClients.push(own);
  return own;
}

/** A manager that appends in large batches, so a big session is built in few round trips. */
function bulkManager(engine: RedisEngine): SessionManager {
  return new SessionManager({ engine, limits: { maxMessagesPerAppend: 10_000 } });
}

async function sessionOf(sessions: SessionManager, count: number): Promise<SessionKey> {
  const key = { userId: 'u', sessionId: `big-${count}-${Math.random().toString(36).slice(2, 8)}` };
  await sessions.create(key);
  for (let start = 0; start < count; start += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, count - start) }, (_, i) => ({ role: 'user' as const, content: `m${start + i}` }));
    await sessions.append(key, batch);
  }
  return key;
}

/** Wraps one of the engine's scripts on a client the test owns, to fail or disturb it on cue. */
function intercept(own: Redis, script: string, around: (call: number, proceed: () => Promise<unknown>, args: unknown[]) => Promise<unknown>): void {
  const original = (own as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[script]!;
  let calls = 0;
  (own as unknown as Record<string, unknown>)[script] = function (this: Redis, ...args: unknown[]) {
    calls += 1;
    return around(calls, () => original.apply(this, args), args);
  };
}

// Forks and imports of 100,000 messages (which overflowed the stack in one command before) are
// checked by the conformance suite's large-sessions group; here, how a large create stays all or nothing.
describe('large creates on Redis: staged in chunks, committed all at once', () => {
  /** A session of STAGED messages on an engine whose stage script `around` intercepts, and the keys stored before. */
  async function withInterceptedStage(around: Parameters<typeof intercept>[2]) {
    const own = ownClient();
    const engine = await engineOn(own);
    const sessions = bulkManager(engine);
    const key = await sessionOf(sessions, STAGED);
    const before = (await keysUnder(client, engine.prefix)).sort();
    intercept(own, 'sessionsV1Stage', around);
    return { engine, sessions, key, before };
  }

  it('leaves no key behind when a create of a large session fails half-way', async ({ expect }) => {
    const { engine, sessions, key, before } = await withInterceptedStage((call, proceed) =>
      call === 2 ? Promise.reject(new Error('connection dropped')) : proceed(),
    );
    await expect(sessions.fork(key, { sessionId: 'fork' })).rejects.toThrow(StorageError);
    expect(await sessions.get({ userId: 'u', sessionId: 'fork' })).toBeNull();
    expect((await keysUnder(client, engine.prefix)).sort()).toEqual(before);
  });

  it('refuses to commit a staged session whose staging keys were lost (e.g. expired) in between', async ({ expect }) => {
    const { engine, sessions, key, before } = await withInterceptedStage(async (call, proceed, args) => {
      const reply = await proceed();
      // After the first chunk, drop what it staged, as an expiry would.
      if (call === 1) await client.del(...(args[1] as string[]));
      return reply;
    });
    await expect(sessions.fork(key, { sessionId: 'fork' })).rejects.toThrow(/staged/);
    expect(await sessions.get({ userId: 'u', sessionId: 'fork' })).toBeNull();
    expect((await keysUnder(client, engine.prefix)).sort()).toEqual(before);
  });

  it('drops what it staged when the session exists already, and leaves that session alone', async ({ expect }) => {
    const engine = await engineOn();
    const sessions = bulkManager(engine);
    const key = await sessionOf(sessions, STAGED);
    const exported = await sessions.export(key);
    const before = (await keysUnder(client, engine.prefix)).sort();
    await expect(sessions.import(exported)).rejects.toThrow(SessionExistsError);
    expect((await keysUnder(client, engine.prefix)).sort()).toEqual(before);
    expect(await sessions.get(key)).toMatchObject({ messageCount: STAGED });
  });

  it('never shows another client a session with only part of its messages', async ({ expect }) => {
    const engine = await engineOn();
    const sessions = bulkManager(engine);
    const key = await sessionOf(sessions, STAGED);
    const forkKeys = new KeySpace(engine.prefix).session({ userId: 'u', sessionId: 'fork' });
    const seen: number[] = [];
    let done = false;
    const watcher = (async () => {
      while (!done) {
        const [[, exists], [, count]] = (await client.multi().exists(forkKeys.session).zcard(forkKeys.messages).exec())! as [[null, number], [null, number]];
        if (exists === 1 || count > 0) seen.push(exists === 1 ? count : -count);
      }
    })();
    await sessions.fork(key, { sessionId: 'fork' });
    done = true;
    await watcher;
    seen.push(await client.zcard(forkKeys.messages));
    expect(seen.every((count) => count === STAGED)).toBe(true);
  });
});
