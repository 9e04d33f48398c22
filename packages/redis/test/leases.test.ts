import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { LockExpiredError, MemoryEngine, SessionManager, type Engine, type SessionKey } from '@sessions/core';
import { type LeaseInfo, type ListLeasesQuery, type NewMessage } from '@sessions/core/engine';
import { KeySpace, type RedisEngine } from '../src/index.js';
import { monitorDuring } from './support/monitor.js';
import { dropPrefix, randomPrefix, rawReader, REDIS_URL, requireRedis, testClient, testEngine } from './support/redis.js';

const client = testClient();
const prefix = randomPrefix('leases');
const listerPrefixes: string[] = [];
const listers: RedisEngine[] = [];
let engine: RedisEngine;

beforeAll(async () => {
  await requireRedis();
  engine = testEngine(prefix);
  await engine.setup();
});
afterAll(async () => {
  await engine?.close();
  await Promise.all(listers.map((lister) => lister.close()));
  await dropPrefix(client, prefix);
  for (const listerPrefix of listerPrefixes) await dropPrefix(client, listerPrefix);
  await client.quit();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function message(key: SessionKey, id: string): NewMessage {
  return {
    ...key,
    id,
    role: 'user',
    content: id,
    name: null,
    toolCalls: null,
    toolCallId: null,
    agentId: null,
    runId: null,
    metadata: {},
    createdAt: new Date(),
  };
}

async function redisNow(): Promise<number> {
  const [seconds, micros] = await client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

describe('leases on Redis', () => {
  it('takes the lease from a holder that stopped renewing once its TTL passes, and rejects the late write', async ({ expect }) => {
    const manager = new SessionManager({ engine });
    const key = { userId: 'lease-user', sessionId: 'stalled-holder' };
    await manager.create(key);
    const stalled = await engine.acquireLease(key, { owner: 'stalled', ttlMs: 300 });
    if (!stalled.acquired) throw new Error('the first acquire must succeed');
    expect((await engine.acquireLease(key, { owner: 'next', ttlMs: 5_000 })).acquired).toBe(false);
    await sleep(500);
    const next = await engine.acquireLease(key, { owner: 'next', ttlMs: 5_000 });
    if (!next.acquired) throw new Error('the lease should have lapsed');
    expect(next.lease.token).toBe(stalled.lease.token + 1);
    await engine.appendMessages(key, [message(key, 'from-next')], { lease: next.lease });

    await expect(engine.appendMessages(key, [message(key, 'late')], { lease: stalled.lease })).rejects.toBeInstanceOf(LockExpiredError);
    await expect(engine.updateSession(key, { title: 'late', updatedAt: new Date() }, { lease: stalled.lease })).rejects.toBeInstanceOf(LockExpiredError);
    await expect(engine.clearMessages(key, { updatedAt: new Date(), lease: stalled.lease })).rejects.toBeInstanceOf(LockExpiredError);
    await expect(engine.deleteSession(key, { lease: stalled.lease })).rejects.toBeInstanceOf(LockExpiredError);
    expect(await engine.renewLease(stalled.lease, { ttlMs: 5_000 })).toBeNull();
    expect(await engine.releaseLease(stalled.lease)).toBe(false);

    expect((await rawReader(client, engine).messages(key)).map((m) => m.id)).toEqual(['from-next']);
    expect((await engine.getSession(key))!.title).toBeNull();
    expect(await engine.releaseLease(next.lease)).toBe(true);
  });

  it("measures leases on Redis's clock: application clocks an hour off either way change nothing", async ({ expect }) => {
    const ahead = new SessionManager({ engine, owner: 'ahead', clock: () => Date.now() + 3_600_000 });
    const behind = new SessionManager({ engine, owner: 'behind', clock: () => Date.now() - 3_600_000 });
    const key = { userId: 'lease-user', sessionId: 'skewed-clocks' };
    await ahead.create(key);
    const before = await redisNow();
    const lease = await ahead.acquire(key, { ttlMs: 400 });
    const after = await redisNow();
    expect(lease.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 400);
    expect(lease.expiresAt.getTime()).toBeLessThanOrEqual(after + 400);
    await expect(behind.acquire(key)).rejects.toThrow(/locked by "ahead"/);
    await sleep(600);
    const taken = await behind.acquire(key, { ttlMs: 5_000 });
    expect(taken.token).toBe(lease.token + 1);
    await behind.release(taken);
  });

  it('leases a session that does not exist yet, and keeps that token when the session is created', async ({ expect }) => {
    const key = { userId: 'lease-user', sessionId: 'not-yet' };
    const grant = await engine.acquireLease(key, { owner: 'early', ttlMs: 5_000 });
    if (!grant.acquired) throw new Error('expected a grant');
    await new SessionManager({ engine }).create(key);
    await engine.appendMessages(key, [message(key, 'under-early-lease')], { lease: grant.lease });
    expect(await engine.releaseLease(grant.lease)).toBe(true);
    const again = await engine.acquireLease(key, { owner: 'later', ttlMs: 5_000 });
    expect(again.acquired && again.lease.token).toBe(grant.lease.token + 1);
  });
});

/** An engine under a prefix of its own, so a listing across users sees only this test's leases. */
async function listerEngine(): Promise<RedisEngine> {
  const listerPrefix = randomPrefix('list-leases');
  listerPrefixes.push(listerPrefix);
  const lister = testEngine(listerPrefix);
  listers.push(lister);
  await lister.setup();
  return lister;
}

/** Everything but `expiresAt`'s instant, which each store takes from its own clock. */
const rowsOf = (leases: readonly LeaseInfo[]) =>
  leases.map((lease) => [lease.userId, lease.sessionId, lease.owner, lease.token, lease.held, lease.expiresAt === null]);

/** Every page of a listing, `limit` at a time, concatenated. */
async function allPages(engine: Engine, query: ListLeasesQuery, limit: number): Promise<LeaseInfo[]> {
  const rows: LeaseInfo[] = [];
  let after: SessionKey | undefined;
  for (;;) {
    const page = await engine.listLeases({ ...query, limit, ...(after ? { after } : {}) });
    rows.push(...page);
    if (page.length < limit) return rows;
    after = { userId: page.at(-1)!.userId, sessionId: page.at(-1)!.sessionId };
  }
}

/**
 * Creates the same sessions on both engines and leases them alike: `held` ones for a minute,
 * `released` ones taken and given back, `lapsed` ones for 200 ms (the caller waits them out).
 */
async function leaseAlike(
  engines: readonly Engine[],
  keys: readonly SessionKey[],
  kind: (i: number) => 'held' | 'released' | 'lapsed' | 'none',
): Promise<void> {
  for (const target of engines) {
    const manager = new SessionManager({ engine: target, owner: 'lister' });
    for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((key) => manager.create(key)));
    await Promise.all(
      keys.map(async (key, i) => {
        const what = kind(i);
        if (what === 'none') return;
        const lease = await manager.acquire(key, { ttlMs: what === 'lapsed' ? 200 : 60_000 });
        if (what === 'released') await manager.release(lease);
      }),
    );
  }
}

describe('listLeases on Redis', () => {
  it("lists every user's leases in code point order, filtered and paged exactly as MemoryEngine does", async ({ expect }) => {
    const lister = await listerEngine();
    const reference = new MemoryEngine();
    await reference.setup();
    // U+FF5A sorts before 😀 (U+1F600) by code point but after it by UTF-16 unit; the rest need escaping.
    const users = ['b:o{b}', 'a', '😀ünï', '\uFF5A', '}{%3A:', 'a:'];
    const sessionIds = ['s:{1}%', 'x', '😀', '\uFF5A', 'x:'];
    const keys = users.flatMap((userId) => sessionIds.map((sessionId) => ({ userId, sessionId })));
    await leaseAlike([lister, reference], keys, (i) => (['held', 'released', 'lapsed', 'none'] as const)[i % 4]!);
    await sleep(500);

    const queries: ListLeasesQuery[] = [
      {},
      { held: true },
      { held: false },
      { userId: 'a' },
      { userId: '😀ünï', held: false },
      { userId: 'nobody' },
      { after: { userId: 'a', sessionId: 'y' } },
      { after: { userId: 'a:', sessionId: '\uFF5A' }, limit: 3 },
      { userId: 'a:', after: { userId: 'a', sessionId: 'x' } },
      { userId: 'a', after: { userId: 'b', sessionId: 'a' } },
      { held: true, after: { userId: 'b:o{b}', sessionId: 's:{1}%' }, limit: 2 },
      { limit: 1 },
    ];
    for (const query of queries) {
      expect(rowsOf(await lister.listLeases(query)), JSON.stringify(query)).toEqual(rowsOf(await reference.listLeases(query)));
    }
    const everything = rowsOf(await reference.listLeases({ limit: 1_000 }));
    expect(everything).toHaveLength(keys.filter((_, i) => i % 4 !== 3).length);
    expect(rowsOf(await allPages(lister, {}, 4))).toEqual(everything);
    expect(rowsOf(await allPages(lister, { held: false }, 3))).toEqual(rowsOf(await reference.listLeases({ held: false, limit: 1_000 })));
  });

  it('pages through a user with more sessions than one read batch, leases sparse among them', async ({ expect }) => {
    const lister = await listerEngine();
    const reference = new MemoryEngine();
    await reference.setup();
    const keys = Array.from({ length: 1_234 }, (_, i) => ({ userId: 'many', sessionId: `s${String(i).padStart(4, '0')}` }));
    const leased = new Map<number, 'held' | 'released'>([
      [0, 'held'],
      [498, 'released'],
      [499, 'held'],
      [500, 'held'],
      [501, 'released'],
      [999, 'held'],
      [1_000, 'released'],
      [1_233, 'held'],
    ]);
    await leaseAlike([lister, reference], keys, (i) => leased.get(i) ?? 'none');

    for (const query of [{ userId: 'many' }, { held: true }, { held: false }, { after: keys[499]! }, { after: keys[1_100]! }]) {
      expect(rowsOf(await lister.listLeases(query)), JSON.stringify(query)).toEqual(rowsOf(await reference.listLeases(query)));
    }
    expect((await allPages(lister, { held: true }, 2)).map((lease) => lease.sessionId)).toEqual(['s0000', 's0499', 's0500', 's0999', 's1233']);
  });

  it("judges held on Redis's clock: a process clock an hour ahead or behind changes nothing", async ({ expect }) => {
    const lister = await listerEngine();
    const manager = new SessionManager({ engine: lister, owner: 'clock' });
    const held = { userId: 'clock', sessionId: 'held' };
    const lapsed = { userId: 'clock', sessionId: 'lapsed' };
    await manager.create(held);
    await manager.create(lapsed);
    const lease = await manager.acquire(held, { ttlMs: 60_000 });
    await manager.acquire(lapsed, { ttlMs: 200 });
    await sleep(400);
    const before = await redisNow();
    const expected = await lister.listLeases();
    expect(expected.map((row) => [row.sessionId, row.held])).toEqual([
      ['held', true],
      ['lapsed', false],
    ]);
    expect(expected.every((row) => row.held === row.expiresAt!.getTime() > before)).toBe(true);

    const realNow = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const skew of [3_600_000, -3_600_000]) {
        vi.setSystemTime(realNow + skew);
        expect(await lister.listLeases(), `process clock off by ${skew} ms`).toEqual(expected);
        expect((await lister.listLeases({ held: true })).map((row) => row.sessionId)).toEqual(['held']);
        expect((await lister.listLeases({ held: false })).map((row) => row.sessionId)).toEqual(['lapsed']);
      }
    } finally {
      vi.useRealTimers();
    }
    expect((await lister.listLeases({ userId: 'clock' }))[0]!.token).toBe(lease.token);
  });

  it('lists a lease while its session is indexed: not one taken before the session is created, not the hash a deleted session keeps', async ({ expect }) => {
    const lister = await listerEngine();
    const manager = new SessionManager({ engine: lister, owner: 'early' });
    const key = { userId: 'indexed', sessionId: 'later' };
    const lease = await manager.acquire(key, { ttlMs: 60_000 });
    expect(await lister.listLeases({ userId: 'indexed' })).toEqual([]);
    await manager.create(key);
    expect((await lister.listLeases({ userId: 'indexed' })).map((row) => [row.sessionId, row.token, row.held])).toEqual([['later', lease.token, true]]);
    await manager.delete(key, { lease });
    expect(await lister.listLeases()).toEqual([]);
    // The hash is still there (the token must never go down), only not listed.
    expect(await client.hget(new KeySpace(lister.prefix).session(key).lease, 'token')).toBe(String(lease.token));
  });

  it('reads only its indexes: never KEYS or SCAN, no user set scan when the query names the user', async ({ expect }) => {
    const lister = await listerEngine();
    const manager = new SessionManager({ engine: lister, owner: 'quiet' });
    for (const userId of ['u1', 'u2']) {
      const key = { userId, sessionId: 'one' };
      await manager.create(key);
      await manager.acquire(key);
    }
    const commandsOf = async (query: ListLeasesQuery) => {
      const seen = await monitorDuring(REDIS_URL, async () => void (await lister.listLeases(query)));
      return new Set(
        seen
          .filter((command) => command.source !== 'lua' && command.args.some((arg) => arg.startsWith(lister.prefix)))
          .map((command) => command.args[0]!.toLowerCase()),
      );
    };
    const everyUser = await commandsOf({});
    expect([...everyUser].sort()).toEqual(expect.arrayContaining(['sscan', 'zrange']));
    for (const name of everyUser) expect(['sscan', 'zrange', 'evalsha', 'eval']).toContain(name);
    const oneUser = await commandsOf({ userId: 'u2' });
    expect(oneUser.has('sscan')).toBe(false);
    for (const name of oneUser) expect(['zrange', 'evalsha', 'eval']).toContain(name);
  });
});
