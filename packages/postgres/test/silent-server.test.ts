import { afterAll, beforeAll, describe, it } from 'vitest';
import { SessionManager, SessionsError, StorageError } from '@sessions/core';
import { FaultProxy } from '@sessions/test-support';
import { PostgresEngine, type PostgresEngineOptions } from '../src/index.js';
import { dropSchema, POSTGRES_URL, randomSchema, requirePostgres, testPool } from './support/database.js';

// A server that stops answering without closing: the proxy keeps every connection open and
// forwards nothing. Every call must fail within its configured bound, never hang.
const QUERY_TIMEOUT_MS = 500;
/** Far above every bound under test, far below "forever": what "bounded" means here. */
const BOUND_MS = 8_000;
const schema = randomSchema('silent_server');
let proxy: FaultProxy;

beforeAll(async () => {
  await requirePostgres();
  proxy = await FaultProxy.forUrl(POSTGRES_URL, 5432);
  const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
  await engine.setup();
  await engine.close();
});
afterAll(async () => {
  await proxy?.close();
  await dropSchema(schema);
});

/** The test server's URL through the proxy, with a password that must never be printed (trust auth ignores it). */
function silentUrl(): string {
  const url = new URL(proxy.url(POSTGRES_URL));
  url.password = 'S3cret-pw';
  return url.toString();
}

/** An engine through the proxy, set up and with a pooled connection open, then the server goes silent. */
async function engineBeforeSilence(options: Omit<PostgresEngineOptions, 'connectionString' | 'pool' | 'schema'> = {}) {
  proxy.pass();
  const engine = new PostgresEngine({ connectionString: silentUrl(), schema, queryTimeoutMs: QUERY_TIMEOUT_MS, ...options });
  await engine.setup();
  const sessions = new SessionManager({ engine });
  const key = { userId: 'silent', sessionId: `s-${Math.random().toString(36).slice(2, 10)}` };
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
  it('fails an append within queryTimeoutMs with a StorageError naming the server, not the password, and saying the write may have landed', async ({
    expect,
  }) => {
    const { engine, sessions, key } = await engineBeforeSilence();
    try {
      const { error, ms } = await settle(sessions.append(key, { role: 'user', content: 'into the void' }));
      expect(error).toBeInstanceOf(StorageError);
      const message = (error as Error).message;
      expect(message).toMatch(/^\[sessions\] \[postgres\] appendMessages failed: /);
      expect((error as StorageError).kind).toBe('timeout');
      expect(message).toContain(`127.0.0.1:${proxy.port}`);
      expect(message).toMatch(/did not answer within 500 ms/);
      expect(message).toMatch(/may or may not have been committed/);
      expect(message).not.toContain('S3cret');
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('S3cret');
      expect(ms).toBeLessThan(BOUND_MS);
    } finally {
      await engine.close();
    }
  }, 30_000);

  it('says a read wrote nothing, and destroys the connection instead of returning it to the pool', async ({ expect }) => {
    const { engine, key } = await engineBeforeSilence({ poolSize: 1 });
    try {
      expect(proxy.connections).toBe(1);
      const { error } = await settle(engine.getSession(key));
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(/did not answer/);
      expect((error as Error).message).not.toMatch(/may or may not/);
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
    const { engine, key } = await engineBeforeSilence({ poolSize: 1, queryTimeoutMs: 1_500, acquireTimeoutMs: 300 });
    const holding = settle(engine.getSession(key));
    try {
      const { error, ms } = await settle(engine.getSession(key));
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(/no connection to the PostgreSQL server at 127\.0\.0\.1:\d+ became free within 300 ms/);
      expect((error as StorageError).kind).toBe('timeout');
      expect(ms).toBeLessThan(BOUND_MS);
    } finally {
      const closing = settle(engine.close());
      // close() waits for the call in flight only as long as a query may take.
      expect((await holding).error).toBeInstanceOf(SessionsError);
      expect((await closing).ms).toBeLessThan(BOUND_MS);
    }
  }, 60_000);

  it('close() finishes in bounded time with idle connections and with a call in flight', async ({ expect }) => {
    const idle = await engineBeforeSilence();
    expect((await settle(idle.engine.close())).ms).toBeLessThan(BOUND_MS);

    const busy = await engineBeforeSilence();
    const inFlight = settle(busy.engine.getSession(busy.key));
    const closed = await settle(busy.engine.close());
    expect(closed.error).toBeUndefined();
    expect(closed.ms).toBeLessThan(BOUND_MS);
    expect((await inFlight).error).toBeInstanceOf(Error);
    await expect.poll(() => proxy.connections).toBe(0);
  }, 30_000);

  it('bounds the wait on an injected pool too, and destroys the connection that timed out (the pool stays yours)', async ({ expect }) => {
    proxy.pass();
    const pool = testPool({ connectionString: proxy.url(POSTGRES_URL), max: 2 });
    const engine = new PostgresEngine({ pool, schema, queryTimeoutMs: QUERY_TIMEOUT_MS });
    try {
      await engine.setup();
      const key = { userId: 'silent', sessionId: 'injected' };
      expect(await engine.getSession(key)).toBeNull();
      const before = proxy.connections;
      expect(before).toBeGreaterThan(0);
      proxy.blackhole();
      const { error, ms } = await settle(engine.getSession(key));
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toContain(`127.0.0.1:${proxy.port}`);
      expect(ms).toBeLessThan(BOUND_MS);
      await expect.poll(() => proxy.connections).toBe(before - 1);
      proxy.pass();
      await engine.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      proxy.pass();
      await pool.end();
    }
  }, 30_000);
});
