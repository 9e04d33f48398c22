import { describe, it } from 'vitest';
import { and, eq, SessionManager } from '@sessions/core';
import { KeySpace, type RedisEngine } from '../src/index.js';
import { redisFileScope } from './support/file-scope.js';
import { keysUnder, randomPrefix, testEngine } from './support/redis.js';

const { client, prefixes, engines } = redisFileScope();

async function freshEngine(
  options: Parameters<typeof testEngine>[1] = {},
): Promise<{ engine: RedisEngine; manager: SessionManager; keys: KeySpace; prefix: string }> {
  const prefix = randomPrefix('ttl');
  prefixes.push(prefix);
  const engine = testEngine(prefix, options);
  engines.push(engine);
  await engine.setup();
  return { engine, manager: new SessionManager({ engine }), keys: new KeySpace(prefix), prefix };
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const giveUp = Date.now() + timeoutMs;
  while (Date.now() < giveUp) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** Keys under the prefix other than the two global ones. */
async function userKeysUnder(prefix: string): Promise<string[]> {
  return (await keysUnder(client, prefix)).filter((key) => !key.startsWith(`${prefix}{:}`));
}

describe('session TTL', () => {
  it('gives all four keys of a session one deadline, also keys created after the TTL was set', async ({ expect }) => {
    const { manager, keys } = await freshEngine();
    const key = { userId: 'ttl-user', sessionId: 'keys-together' };
    await manager.create({ ...key, ttlMs: 60_000 });
    await manager.append(key, { role: 'user', content: 'creates the message keys' });
    const lease = await manager.acquire(key);
    await manager.release(lease);
    const sessionKeys = Object.values(keys.session(key));
    const ttls = await Promise.all(sessionKeys.map((name) => client.pttl(name)));
    for (const ttl of ttls) expect(ttl).toBeGreaterThan(60_000);
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeLessThan(50);
    // The user's index keys go with the last of the user's sessions.
    const userTtls = await Promise.all(Object.values(keys.user(key.userId)).map((name) => client.pttl(name)));
    for (const ttl of userTtls) expect(Math.abs(ttl - ttls[0]!)).toBeLessThan(50);
  });

  it("lets Redis drop a session with a TTL whole: session, messages, ids, lease and the user's index keys", async ({ expect }) => {
    const { engine, manager, prefix } = await freshEngine({ expiryGraceMs: 0 });
    const key = { userId: 'vanishing:{user}', sessionId: 'gone%soon' };
    await manager.create({ ...key, ttlMs: 400, messages: [{ role: 'system', content: 'short-lived' }] });
    await manager.append(key, { role: 'user', content: 'still here' });
    const lease = await manager.acquire(key, { ttlMs: 5_000 });
    expect((await userKeysUnder(prefix)).length).toBeGreaterThanOrEqual(4 + 5);
    expect(await waitUntil(async () => (await userKeysUnder(prefix)).length === 0, 5_000)).toBe(true);
    expect(await engine.getSession(key)).toBeNull();
    expect(await engine.readMessages(key)).toEqual([]);
    expect(await engine.count('sessions', { where: eq('userId', key.userId) })).toBe(0);
    // The lease went with the session: a write under it is refused.
    await expect(manager.append(key, { role: 'user', content: 'late' }, { lease })).rejects.toThrow();
  });

  it('never returns a session whose keys expired, and repairs the index entries it left', async ({ expect }) => {
    const { engine, manager, keys } = await freshEngine({ expiryGraceMs: 0 });
    const userId = 'mixed-user';
    for (let i = 0; i < 5; i++) await manager.create({ userId, sessionId: `short-${i}`, ttlMs: 300 });
    for (let i = 0; i < 3; i++) await manager.create({ userId, sessionId: `kept-${i}` });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await engine.findMany('sessions', { where: eq('userId', userId) })).map((s) => s.sessionId)).toEqual(['kept-0', 'kept-1', 'kept-2']);
    expect(await engine.count('sessions', { where: and(eq('userId', userId), eq('status', 'active')) })).toBe(3);
    expect((await manager.list({ userId })).sessions).toHaveLength(3);
    expect(await client.zcard(keys.user(userId).byId)).toBe(3);
    expect(await client.zcard(keys.user(userId).byUpdatedAt)).toBe(3);
  });

  it('keeps an expired session until deleteExpired within the grace period, then deletes it whole', async ({ expect }) => {
    let now = Date.now() - 3_600_000;
    const { engine, prefix } = await freshEngine();
    const manager = new SessionManager({ engine, clock: () => now });
    const key = { userId: 'late-user', sessionId: 'expired-an-hour-ago' };
    await manager.create({ ...key, ttlMs: 1_000, messages: [{ role: 'user', content: 'old' }] });
    now = Date.now();
    // Hidden by the manager at once, still stored (the application's clock decides, not Redis's).
    expect(await manager.get(key)).toBeNull();
    expect(await engine.getSession(key)).not.toBeNull();
    expect(await manager.deleteExpired()).toBe(1);
    expect(await engine.getSession(key)).toBeNull();
    expect(await userKeysUnder(prefix)).toEqual([]);
    // deleteExpired also took the user, left without sessions, out of the global user set.
    expect(await client.smembers(new KeySpace(prefix).users)).toEqual([]);
  });

  it('gives sessions created without an expiry the defaultTtlMs', async ({ expect }) => {
    const { manager, keys } = await freshEngine({ defaultTtlMs: 86_400_000 });
    const key = { userId: 'default-ttl', sessionId: 's' };
    const session = await manager.create(key);
    expect(session.expiresAt!.getTime()).toBe(session.createdAt.getTime() + 86_400_000);
    expect((await manager.get(key))!.expiresAt).toEqual(session.expiresAt);
    expect(await client.pttl(keys.session(key).session)).toBeGreaterThan(86_000_000);
  });

  it('makes every key persistent again when the TTL is removed', async ({ expect }) => {
    const { manager, keys } = await freshEngine();
    const key = { userId: 'persist-user', sessionId: 's' };
    await manager.create({ ...key, ttlMs: 60_000, messages: [{ role: 'user', content: 'x' }] });
    await manager.update(key, { ttlMs: null });
    const names = [...Object.values(keys.session(key)).slice(0, 3), ...Object.values(keys.user(key.userId))];
    const ttls = await Promise.all(names.map((name) => client.pttl(name)));
    expect(ttls.every((ttl) => ttl === -1 || ttl === -2)).toBe(true);
    expect(ttls.filter((ttl) => ttl === -1).length).toBeGreaterThanOrEqual(5);
  });
});
