import { afterAll, afterEach, beforeAll, describe, it, vi } from 'vitest';
import { LockExpiredError, LockHeldError, SessionManager, SessionNotFoundError } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { dropSchema, POSTGRES_URL, randomSchema, requirePostgres, testPool } from './support/database.js';

const HOUR = 3_600_000;
const TTL = 800;
const schema = randomSchema('clock_skew');
const admin = testPool({ max: 1 });
const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });

beforeAll(async () => {
  await requirePostgres();
  await engine.setup();
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await engine.close();
  await admin.end();
  await dropSchema(schema);
});

async function serverNow(): Promise<number> {
  const { rows } = await admin.query('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now');
  return rows[0].now as number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a client whose clock is off', () => {
  it.for([
    ['an hour ahead', HOUR],
    ['an hour behind', -HOUR],
    ['right', 0],
  ] as const)('gets the same lease behaviour when its clock is %s', async ([, skew], { expect }) => {
    // Only Date is faked: timers and performance.now() (the lease's local deadline) stay real.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + skew);
    const first = new SessionManager({ engine, owner: 'first', lockTtlMs: TTL * 3, heartbeatMs: TTL });
    const second = new SessionManager({ engine, owner: 'second' });
    const key = { userId: 'skew', sessionId: `skew_${skew}` };
    await first.create(key);

    const before = await serverNow();
    expect(Math.abs(Date.now() - before - skew)).toBeLessThan(1_000);
    const lease = await first.acquire(key, { ttlMs: TTL });
    const after = await serverNow();
    // expiresAt is the server's clock plus the TTL, never the client's.
    expect(lease.expiresAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before) + TTL - 1);
    expect(lease.expiresAt.getTime()).toBeLessThanOrEqual(Math.ceil(after) + TTL);

    const held = await second.acquire(key, { ttlMs: TTL }).catch((error: unknown) => error);
    expect(held).toBeInstanceOf(LockHeldError);
    expect((held as LockHeldError).holder).toBe('first');
    await first.append(key, { role: 'user', content: 'under the lease' }, { lease });

    const renewed = await first.renew(lease);
    expect(renewed.expiresAt.getTime()).toBeGreaterThanOrEqual(lease.expiresAt.getTime());
    await sleep(TTL + 150);

    const taken = await second.acquire(key, { ttlMs: TTL });
    expect(taken.token).toBe(lease.token + 1);
    await expect(
      engine.appendMessages(
        key,
        [
          {
            ...key,
            id: 'stale',
            role: 'user',
            content: 'stale',
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
          lease: renewed,
        },
      ),
    ).rejects.toBeInstanceOf(LockExpiredError);
    expect(await engine.renewLease(renewed, { ttlMs: TTL })).toBeNull();
    expect(await engine.releaseLease(renewed)).toBe(false);
    expect(await second.release(taken)).toBe(true);
    expect((await second.messages(key)).map((message) => message.content)).toEqual(['under the lease']);
  });

  it.for([
    ['an hour ahead', HOUR],
    ['an hour behind', -HOUR],
  ] as const)('lists leases as held or not by the server clock when its clock is %s', async ([, skew], { expect }) => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + skew);
    const userId = `list_${skew}`;
    // Held for a minute by the server clock: expired by a clock an hour ahead.
    await engine.acquireLease({ userId, sessionId: 'held' }, { owner: 'lister', ttlMs: 60_000 });
    // Expired by the server clock: still held by a clock an hour behind.
    await engine.acquireLease({ userId, sessionId: 'stale' }, { owner: 'lister', ttlMs: 200 });
    await sleep(400);
    const leases = await engine.listLeases({ userId });
    expect(leases.map((lease) => [lease.sessionId, lease.held])).toEqual([
      ['held', true],
      ['stale', false],
    ]);
    expect((await engine.listLeases({ userId, held: true })).map((lease) => lease.sessionId)).toEqual(['held']);
    expect((await engine.listLeases({ userId, held: false })).map((lease) => lease.sessionId)).toEqual(['stale']);
  });
  it.for([
    ['an hour ahead', HOUR],
    ['an hour behind', -HOUR],
  ] as const)("judges session expiry on its own clock, never the server's, when its clock is %s", async ([, skew], { expect }) => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + skew);
    const sessions = new SessionManager({ engine });
    const key = { userId: 'ttl-skew', sessionId: `skew-${skew}` };
    // Expires 30 minutes from now on the client's clock: by the server's clock that is already
    // past when the client runs behind, and an hour and a half away when it runs ahead.
    await sessions.create({ ...key, ttlMs: HOUR / 2 });
    await sessions.append(key, { role: 'user', content: 'live by my clock' });
    const { rows } = await admin.query(`SELECT expires_at > clock_timestamp() AS live FROM "${schema}"."sessions" WHERE user_id = $1 AND session_id = $2`, [
      key.userId,
      key.sessionId,
    ]);
    expect(rows[0].live).toBe(skew > 0);
    expect((await sessions.messages(key)).map((m) => m.content)).toEqual(['live by my clock']);

    vi.setSystemTime(Date.now() + HOUR);
    expect(await sessions.messages(key)).toEqual([]);
    expect(await sessions.messages(key, { last: 10 })).toEqual([]);
    await expect(sessions.append(key, { role: 'user', content: 'expired by my clock' })).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(sessions.truncate(key, { afterSeq: 0 })).rejects.toBeInstanceOf(SessionNotFoundError);
    const stored = await engine.getSession(key);
    expect(stored).toMatchObject({ messageCount: 1, lastSeq: 1 });
  });
});
