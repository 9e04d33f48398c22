import { afterAll, beforeAll, describe, it } from 'vitest';
import { LockExpiredError, SessionManager, StorageError } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { dropSchema, POSTGRES_URL, randomSchema, requirePostgres, testPool } from './support/database.js';
import { FaultProxy } from '@sessions/test-support';

const schema = randomSchema('connection_loss');
const admin = testPool({ max: 2 });
const direct = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
let proxy: FaultProxy;

beforeAll(async () => {
  await requirePostgres();
  proxy = await FaultProxy.forUrl(POSTGRES_URL, 5432);
  await direct.setup();
});
afterAll(async () => {
  await direct.close();
  await proxy.close();
  await admin.end();
  await dropSchema(schema);
});

/** Terminates every server process of the app server with this application_name. */
async function terminateBackends(applicationName: string): Promise<number> {
  const { rows } = await admin.query('SELECT count(pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity WHERE application_name = $1', [
    applicationName,
  ]);
  return rows[0].killed as number;
}

/** The test server's URL through the proxy, with an application_name to find its backends by. */
function throughProxy(applicationName: string): string {
  const url = new URL(proxy.url(POSTGRES_URL));
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

function appName(label: string): string {
  return `sessions_${label}_${Math.random().toString(36).slice(2, 8)}`;
}

describe('a holder that loses its connection', () => {
  it('loses its lease at TTL expiry, the next holder proceeds, and its late fenced write is rejected', async ({ expect }) => {
    const name = appName('holder');
    const holderEngine = new PostgresEngine({ connectionString: throughProxy(name), schema });
    await holderEngine.setup();
    const holder = new SessionManager({ engine: holderEngine, owner: 'holder', lockTtlMs: 1_500, heartbeatMs: 300 });
    const next = new SessionManager({ engine: direct, owner: 'next' });
    const key = { userId: 'loss', sessionId: 'killed-holder' };
    await next.create(key);
    try {
      let heldLease: Awaited<ReturnType<SessionManager['acquire']>> | undefined;
      let nextLease: Awaited<ReturnType<SessionManager['acquire']>> | undefined;
      const run = holder.run(key, async ({ lease, append, signal }) => {
        heldLease = lease;
        await append({ role: 'user', content: 'written while connected' });
        // The app server drops off the network: its connections are killed and it cannot reconnect.
        expect(await terminateBackends(name)).toBeGreaterThan(0);
        proxy.reset();
        const acquiredByNext = next.acquire(key, { ttlMs: 30_000, waitMs: 10_000 });
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        nextLease = await acquiredByNext;
        await append({ role: 'user', content: 'written after the lease was lost' });
      });
      await expect(run).rejects.toBeInstanceOf(LockExpiredError);

      expect(nextLease!.token).toBe(heldLease!.token + 1);
      // Granted by the server clock no earlier than the lost lease's expiry.
      expect(nextLease!.expiresAt.getTime() - 30_000).toBeGreaterThanOrEqual(heldLease!.expiresAt.getTime() - 5);
      await next.append(key, { role: 'assistant', content: 'the next holder proceeds' }, { lease: nextLease! });

      // The network comes back; the stale holder's write reaches the server, which refuses it.
      proxy.pass();
      await expect(
        holderEngine.appendMessages(
          key,
          [
            {
              ...key,
              id: 'late',
              role: 'user',
              content: 'late',
              name: null,
              toolCalls: null,
              toolCallId: null,
              agentId: null,
              runId: null,
              metadata: {},
              createdAt: new Date(),
            },
          ],
          {
            lease: heldLease!,
          },
        ),
      ).rejects.toBeInstanceOf(LockExpiredError);
      expect((await next.messages(key)).map((message) => message.content)).toEqual(['written while connected', 'the next holder proceeds']);
      await next.release(nextLease!);
    } finally {
      proxy.pass();
      await holderEngine.close();
    }
  });
});

describe('dropped connections', () => {
  it('surface as StorageError with the driver error as cause, and the engine recovers on the next call', async ({ expect }) => {
    const name = appName('dropped');
    const engine = new PostgresEngine({ connectionString: throughProxy(name), schema });
    await engine.setup();
    const sessions = new SessionManager({ engine });
    const key = { userId: 'loss', sessionId: 'dropped' };
    try {
      await sessions.create(key);
      proxy.reset();
      const error = await sessions.append(key, { role: 'user', content: 'while cut off' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).cause).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/^\[sessions\] \[postgres\] appendMessages failed: /);
      proxy.pass();
      await sessions.append(key, { role: 'user', content: 'after reconnecting' });
      expect((await sessions.messages(key)).map((message) => message.content)).toEqual(['after reconnecting']);
    } finally {
      proxy.pass();
      await engine.close();
    }
  });

  it('reports a backend terminated in the middle of an append, which wrote nothing, and recovers', async ({ expect }) => {
    const name = appName('terminated');
    const pool = testPool({ max: 1, application_name: name });
    const engine = new PostgresEngine({ pool, schema });
    const sessions = new SessionManager({ engine });
    const key = { userId: 'loss', sessionId: 'terminated-mid-append' };
    const blocker = await admin.connect();
    try {
      await engine.setup();
      await sessions.create(key);
      // Hold the session row so the append waits inside the server, then kill its backend.
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${schema}"."sessions" WHERE user_id = $1 AND session_id = $2 FOR UPDATE`, [key.userId, key.sessionId]);
      const append = sessions.append(key, { role: 'user', content: 'never written' }).catch((caught: unknown) => caught);
      await waitUntil(async () => {
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [name]);
        return rows[0].n > 0;
      });
      await terminateBackends(name);
      const error = await append;
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).cause).toMatchObject({ code: '57P01' });
      await blocker.query('ROLLBACK');

      expect(await sessions.messages(key)).toEqual([]);
      expect(await sessions.get(key)).toMatchObject({ messageCount: 0, lastSeq: 0 });
      const [written] = await sessions.append(key, { role: 'user', content: 'after the kill' });
      expect(written!.seq).toBe(1);
    } finally {
      blocker.release();
      await engine.close();
      await pool.end();
    }
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
