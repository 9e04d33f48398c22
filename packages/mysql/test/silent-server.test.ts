import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SessionManager, SessionsError, StorageError } from '@sessions/core';
import { FaultProxy } from '@sessions/test-support';
import { MysqlEngine, type MysqlEngineOptions } from '../src/index.js';
import { randomName, SERVER_URL, useTestDatabase } from './support/database.js';

// A server that stops answering without closing: the proxy keeps every connection open and
// forwards nothing. Every call must fail within its configured bound, never hang.
const QUERY_TIMEOUT_MS = 500;
/** Far above every bound under test, far below "forever": what "bounded" means here. */
const BOUND_MS = 8_000;
const database = await useTestDatabase('silent');
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await FaultProxy.forUrl(SERVER_URL, 3306);
});
afterAll(() => proxy?.close());

/** An engine through the proxy, set up and with a pooled connection open, then the server goes silent. */
async function engineBeforeSilence(options: Omit<MysqlEngineOptions, 'uri' | 'pool'> = {}) {
  proxy.pass();
  const engine = new MysqlEngine({ uri: proxy.url(database.url), tablePrefix: `${randomName('q')}_`, queryTimeoutMs: QUERY_TIMEOUT_MS, ...options });
  await engine.setup();
  const sessions = new SessionManager({ engine });
  const key = { userId: 'silent', sessionId: randomName('s') };
  await sessions.create(key);
  proxy.blackhole();
  return { engine, sessions, key };
}

async function settle<T>(call: Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, ms: performance.now() - started };
}

describe('a server that stops answering on an open pooled connection', () => {
  for (const appendRoutine of [true, false]) {
    it(`fails an append within queryTimeoutMs with a StorageError naming the server and saying the write may have landed (${appendRoutine ? 'routine' : 'statements'})`, async ({
      expect,
    }) => {
      const { engine, sessions, key } = await engineBeforeSilence({ appendRoutine });
      try {
        const { error, ms } = await settle(sessions.append(key, { role: 'user', content: 'into the void' }));
        expect(error).toBeInstanceOf(StorageError);
        const message = (error as Error).message;
        expect(message).toMatch(/^\[sessions\] \[mysql\] appendMessages failed: /);
        expect((error as StorageError).kind).toBe('timeout');
        expect(message).toContain(`the MySQL server at 127.0.0.1:${proxy.port} did not answer within 500 ms`);
        // The routine is one CALL that may have run; the statements path stops before its COMMIT.
        expect(message).toMatch(appendRoutine ? /may or may not have been committed/ : /nothing was written|transaction was not committed/);
        expect(message).not.toMatch(/root@|mysql:\/\//);
        expect(ms).toBeLessThan(BOUND_MS);
      } finally {
        await engine.close();
      }
    }, 30_000);
  }

  it('says a read wrote nothing, and destroys the connection instead of returning it to the pool', async ({ expect }) => {
    const { engine, key } = await engineBeforeSilence({ connectionLimit: 1 });
    try {
      expect(proxy.connections).toBe(1);
      const { error } = await settle(engine.getSession(key));
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(/did not answer within 500 ms; the connection was closed and nothing was written/);
      await expect.poll(() => proxy.connections).toBe(0);
      // The server answers again: the next call gets a fresh connection.
      proxy.pass();
      expect(await engine.getSession(key)).toMatchObject(key);
    } finally {
      await engine.close();
    }
  }, 30_000);

  it('fails run() in bounded time', async ({ expect }) => {
    const { engine, sessions, key } = await engineBeforeSilence();
    try {
      const { error, ms } = await settle(sessions.run(key, async ({ append }) => append({ role: 'user', content: 'never acknowledged' })));
      expect(error).toBeInstanceOf(StorageError);
      expect(ms).toBeLessThan(BOUND_MS);
    } finally {
      await engine.close();
    }
  }, 30_000);

  it('fails a call waiting for a free connection after acquireTimeoutMs', async ({ expect }) => {
    const { engine, key } = await engineBeforeSilence({ connectionLimit: 1, queryTimeoutMs: 1_500, acquireTimeoutMs: 300 });
    const holding = settle(engine.getSession(key));
    try {
      const { error, ms } = await settle(engine.getSession(key));
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(/no connection to the MySQL server at 127\.0\.0\.1:\d+ became free within 300 ms/);
      expect((error as StorageError).kind).toBe('timeout');
      expect(ms).toBeLessThan(BOUND_MS);
    } finally {
      const closing = settle(engine.close());
      expect((await holding).error).toBeInstanceOf(SessionsError);
      expect((await closing).ms).toBeLessThan(BOUND_MS);
    }
  }, 30_000);

  it('close() finishes in bounded time with idle connections and with a call in flight', async ({ expect }) => {
    const idle = await engineBeforeSilence();
    const closedIdle = await settle(idle.engine.close());
    expect(closedIdle.error).toBeUndefined();
    expect(closedIdle.ms).toBeLessThan(BOUND_MS);

    const busy = await engineBeforeSilence();
    const inFlight = settle(busy.engine.getSession(busy.key));
    const closed = await settle(busy.engine.close());
    expect(closed.error).toBeUndefined();
    expect(closed.ms).toBeLessThan(BOUND_MS);
    expect((await inFlight).error).toBeInstanceOf(SessionsError);
    await expect.poll(() => proxy.connections).toBe(0);
  }, 30_000);

  it('bounds the wait on an injected pool too, and destroys the connection that timed out (the pool stays yours)', async ({ expect }) => {
    proxy.pass();
    const pool = mysql.createPool({ uri: proxy.url(database.url), connectionLimit: 2 });
    const engine = new MysqlEngine({ pool, tablePrefix: `${randomName('i')}_`, queryTimeoutMs: QUERY_TIMEOUT_MS });
    try {
      await engine.setup();
      const key = { userId: 'silent', sessionId: 'injected' };
      expect(await engine.getSession(key)).toBeNull();
      const before = proxy.connections;
      expect(before).toBeGreaterThan(0);
      proxy.blackhole();
      const { error, ms } = await settle(engine.getSession(key));
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toContain(`the MySQL server at 127.0.0.1:${proxy.port}`);
      expect(ms).toBeLessThan(BOUND_MS);
      await expect.poll(() => proxy.connections).toBe(before - 1);
      proxy.pass();
      await engine.close();
      const [rows] = await pool.query('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      proxy.pass();
      await pool.end();
    }
  }, 30_000);
});
