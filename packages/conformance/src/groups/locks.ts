import { describe, it } from 'vitest';
import { LockExpiredError, LockHeldError, ValidationError, type HeldLease } from '@sessions/core';
import { testMessage } from '@sessions/core/testing';
import { caught, delay, randomKey, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

/** Leases with fencing: exclusion, expiry on the store's clock, renew, release, fenced writes. */
export function lockTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('leases and fencing', () => {
    const ctx = useEngine(init, { peer: true });

    it('grants the lease to exactly one of many concurrent acquirers', async ({ expect }) => {
      const key = randomKey();
      await ctx.manager().create(key);
      const managers = ctx.contenders(12, (i) => ({ owner: `owner-${i}` }));
      const results = await Promise.allSettled(managers.map((manager) => manager.acquire(key, { ttlMs: 10_000 })));
      const granted = results.filter((r): r is PromiseFulfilledResult<HeldLease> => r.status === 'fulfilled');
      expect(granted, 'acquireLease must grant the lease to exactly one of many concurrent acquirers').toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(LockHeldError);
          expect((result.reason as LockHeldError).holder).toBe(granted[0]!.value.owner);
          expect((result.reason as LockHeldError).expiresAt).toBeInstanceOf(Date);
        }
      }
      await managers[0]!.release(granted[0]!.value);
    });

    it('says who holds the lease and until when', async ({ expect }) => {
      const key = randomKey();
      const holder = ctx.manager({ owner: 'worker-a' });
      await holder.create(key);
      const lease = await holder.acquire(key, { ttlMs: 5_000 });
      const error = await ctx
        .manager({ owner: 'worker-b' })
        .acquire(key)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockHeldError);
      expect((error as LockHeldError).holder).toBe('worker-a');
      expect(Math.abs((error as LockHeldError).expiresAt.getTime() - lease.expiresAt.getTime())).toBeLessThan(1_000);
      expect((error as Error).message).toContain('worker-a');
      await holder.release(lease);
    });

    it('is not re-entrant: the same owner cannot take a held lease twice', async ({ expect }) => {
      const key = randomKey();
      const manager = ctx.manager();
      await manager.create(key);
      const lease = await manager.acquire(key);
      expect(
        await caught(manager.acquire(key)),
        'SessionManager.acquire (acquireLease) must throw LockHeldError (is not re-entrant: the same owner cannot take a held lease twice)',
      ).toBeInstanceOf(LockHeldError);
      await manager.release(lease);
    });

    it('grows the token with every grant, across release and expiry', async ({ expect }) => {
      const key = randomKey();
      const manager = ctx.manager();
      await manager.create(key);
      const first = await manager.acquire(key, { ttlMs: 5_000 });
      expect(await manager.release(first)).toBe(true);
      const second = await manager.acquire(key, { ttlMs: 500 });
      expect(second.token, 'acquireLease must grant a bigger token after a release').toBeGreaterThan(first.token);
      await delay(1_200);
      const third = await manager.acquire(key, { ttlMs: 5_000 });
      expect(third.token, 'acquireLease must grant a bigger token after an expiry').toBeGreaterThan(second.token);
      await manager.release(third);
    });

    it('lets another owner take the lease once it expires', async ({ expect }) => {
      const key = randomKey();
      const a = ctx.manager({ owner: 'a' });
      const b = ctx.manager({ owner: 'b' });
      await a.create(key);
      await a.acquire(key, { ttlMs: 500 });
      expect(
        await caught(b.acquire(key)),
        'SessionManager.acquire (acquireLease) must throw LockHeldError (lets another owner take the lease once it expires)',
      ).toBeInstanceOf(LockHeldError);
      await delay(1_200);
      const lease = await b.acquire(key, { ttlMs: 5_000 });
      expect(lease.owner).toBe('b');
      await b.release(lease);
    });

    it('renew extends the lease past its first expiry', async ({ expect }) => {
      const key = randomKey();
      const a = ctx.manager({ owner: 'a' });
      await a.create(key);
      let lease = await a.acquire(key, { ttlMs: 1_500 });
      for (let i = 0; i < 4; i++) {
        await delay(500);
        lease = await a.renew(lease);
      }
      expect(
        await caught(ctx.manager({ owner: 'b' }).acquire(key)),
        'SessionManager.acquire (acquireLease) must throw LockHeldError (renew extends the lease past its first expiry)',
      ).toBeInstanceOf(LockHeldError);
      await a.append(key, { role: 'user', content: 'still mine' }, { lease });
      await a.release(lease);
    });

    it('renewing a lost lease fails with LockExpiredError and does not steal it back', async ({ expect }) => {
      const key = randomKey();
      const a = ctx.manager({ owner: 'a' });
      const b = ctx.manager({ owner: 'b' });
      await a.create(key);
      const stale = await a.acquire(key, { ttlMs: 500 });
      await delay(1_200);
      const current = await b.acquire(key, { ttlMs: 5_000 });
      expect(
        await caught(a.renew(stale)),
        'SessionManager.renew (renewLease) must throw LockExpiredError (renewing a lost lease fails with LockExpiredError and does not steal it back)',
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(a.acquire(key)),
        'SessionManager.acquire (acquireLease) must throw LockHeldError (renewing a lost lease fails with LockExpiredError and does not steal it back)',
      ).toBeInstanceOf(LockHeldError);
      await b.append(key, { role: 'user', content: 'b still holds it' }, { lease: current });
      await b.release(current);
    });

    it("releasing a lost lease never touches the new holder's lease", async ({ expect }) => {
      const key = randomKey();
      const a = ctx.manager({ owner: 'same-owner-name' });
      const b = ctx.manager({ owner: 'same-owner-name' });
      await a.create(key);
      const stale = await a.acquire(key, { ttlMs: 500 });
      await delay(1_200);
      const current = await b.acquire(key, { ttlMs: 5_000 });
      expect(await a.release(stale), 'releaseLease must return false for a lease that was taken over').toBe(false);
      expect(
        await caught(ctx.manager({ owner: 'c' }).acquire(key)),
        "SessionManager.acquire (acquireLease) must throw LockHeldError (releasing a lost lease never touches the new holder's lease)",
      ).toBeInstanceOf(LockHeldError);
      await b.append(key, { role: 'user', content: 'unaffected' }, { lease: current });
      expect(await b.release(current), 'releaseLease must return true for a lease still held').toBe(true);
      expect(await b.release(current), 'releaseLease must return false the second time').toBe(false);
    });

    it('rejects a write from a lease that expired under it, and writes nothing', async ({ expect }) => {
      const key = randomKey();
      const engine = ctx.engine;
      const a = ctx.manager({ owner: 'a' });
      await a.create(key);
      const grant = await engine.acquireLease(key, { owner: 'a', ttlMs: 500 });
      if (!grant.acquired) throw new Error('expected the lease');
      await delay(1_200);
      // the engine itself must refuse, not only the manager's local deadline
      expect(
        await caught(engine.appendMessages(key, [testMessage(key, { content: 'late' })], { lease: grant.lease })),
        'appendMessages must throw LockExpiredError (rejects a write from a lease that expired under it, and writes nothing)',
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(engine.updateSession(key, { title: 'late', updatedAt: new Date() }, { lease: grant.lease })),
        'updateSession must throw LockExpiredError (rejects a write from a lease that expired under it, and writes nothing)',
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(engine.clearMessages(key, { lease: grant.lease, updatedAt: new Date() })),
        'clearMessages must throw LockExpiredError (rejects a write from a lease that expired under it, and writes nothing)',
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(engine.truncateMessages(key, { lease: grant.lease, afterSeq: 0, updatedAt: new Date() })),
        'truncateMessages must throw LockExpiredError (rejects a write from a lease that expired under it, and writes nothing)',
      ).toBeInstanceOf(LockExpiredError);
      expect(await a.messages(key), 'a write refused for an expired lease must write nothing').toEqual([]);
      expect(await a.get(key), 'a write refused for an expired lease must leave the session as it was').toMatchObject({
        title: null,
        messageCount: 0,
        lastSeq: 0,
      });
    });

    it("fences versioned updates too: a stale holder cannot overwrite the next holder's state or take back its messages", async ({ expect }) => {
      const key = randomKey();
      const engine = ctx.engine;
      const manager = ctx.manager();
      await manager.create({ ...key, state: { owner: 'nobody' } });
      const first = await engine.acquireLease(key, { owner: 'paused-worker', ttlMs: 500 });
      if (!first.acquired) throw new Error('expected the lease');
      await delay(1_200);
      const second = await engine.acquireLease(key, { owner: 'next-worker', ttlMs: 10_000 });
      if (!second.acquired) throw new Error('expected the lease');
      await engine.appendMessages(key, [testMessage(key, { content: 'next holder' })], { lease: second.lease });
      const { version } = (await engine.getSession(key))!;
      await engine.updateSession(key, { state: { owner: 'next' }, updatedAt: new Date() }, { lease: second.lease, expectedVersion: version });
      const current = (await engine.getSession(key))!;
      // the stale holder read the latest version, so only the fencing check can stop it
      expect(
        await caught(engine.updateSession(key, { state: { owner: 'stale' }, updatedAt: new Date() }, { lease: first.lease, expectedVersion: current.version })),
        "updateSession must throw LockExpiredError (fences versioned updates too: a stale holder cannot overwrite the next holder's state or take back its messages)",
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(engine.truncateMessages(key, { lease: first.lease, afterSeq: 0, updatedAt: new Date() })),
        "truncateMessages must throw LockExpiredError (fences versioned updates too: a stale holder cannot overwrite the next holder's state or take back its messages)",
      ).toBeInstanceOf(LockExpiredError);
      expect(await manager.getState(key), 'updateSession must refuse a stale holder even with the latest expectedVersion').toEqual({ owner: 'next' });
      expect((await manager.messages(key)).map((m) => m.content)).toEqual(['next holder']);
      await engine.releaseLease(second.lease);
    });

    it('renew extends the very lease object passed in, not only the one it returns', async ({ expect }) => {
      const key = randomKey();
      const manager = ctx.manager();
      await manager.create(key);
      const lease = await manager.acquire(key, { ttlMs: 600 });
      await delay(400);
      await manager.renew(lease);
      await delay(400);
      // 800 ms after the grant, the original object is still good: the renew moved its deadline
      await manager.append(key, { role: 'user', content: 'under the first object' }, { lease });
      expect((await manager.messages(key)).map((m) => m.content)).toEqual(['under the first object']);
      await manager.release(lease);
    });

    it("rejects a stale holder's write after the next holder took over, keeping the new holder's work", async ({ expect }) => {
      const key = randomKey();
      const engine = ctx.engine;
      const manager = ctx.manager();
      await manager.create(key);
      const first = await engine.acquireLease(key, { owner: 'paused-worker', ttlMs: 500 });
      if (!first.acquired) throw new Error('expected the lease');
      await delay(1_200);
      const second = await engine.acquireLease(key, { owner: 'next-worker', ttlMs: 10_000 });
      if (!second.acquired) throw new Error('expected the lease');
      await engine.appendMessages(key, [testMessage(key, { content: 'next holder' })], { lease: second.lease });
      expect(
        await caught(engine.appendMessages(key, [testMessage(key, { content: 'stale' })], { lease: first.lease })),
        "appendMessages must throw LockExpiredError (rejects a stale holder's write after the next holder took over, keeping the new holder's work)",
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(engine.deleteSession(key, { lease: first.lease })),
        "deleteSession must throw LockExpiredError (rejects a stale holder's write after the next holder took over, keeping the new holder's work)",
      ).toBeInstanceOf(LockExpiredError);
      expect(
        (await manager.messages(key)).map((m) => m.content),
        "a stale holder's writes must leave the next holder's messages as they were",
      ).toEqual(['next holder']);
      await engine.releaseLease(second.lease);
    });

    it('rejects a write under a released lease', async ({ expect }) => {
      const key = randomKey();
      const engine = ctx.engine;
      await ctx.manager().create(key);
      const grant = await engine.acquireLease(key, { owner: 'w', ttlMs: 10_000 });
      if (!grant.acquired) throw new Error('expected the lease');
      expect(await engine.releaseLease(grant.lease)).toBe(true);
      expect(
        await caught(engine.appendMessages(key, [testMessage(key, { content: 'after release' })], { lease: grant.lease })),
        'appendMessages must throw LockExpiredError (rejects a write under a released lease)',
      ).toBeInstanceOf(LockExpiredError);
      expect(await engine.readMessages(key)).toEqual([]);
    });

    it('rejects a write carrying a forged token', async ({ expect }) => {
      const key = randomKey();
      const engine = ctx.engine;
      await ctx.manager().create(key);
      const grant = await engine.acquireLease(key, { owner: 'w', ttlMs: 10_000 });
      if (!grant.acquired) throw new Error('expected the lease');
      expect(
        await caught(engine.appendMessages(key, [testMessage(key, { content: 'forged' })], { lease: { owner: 'w', token: grant.lease.token + 1 } })),
        'appendMessages must throw LockExpiredError (rejects a write carrying a forged token)',
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(engine.appendMessages(key, [testMessage(key, { content: 'forged' })], { lease: { owner: 'other', token: grant.lease.token } })),
        'appendMessages must throw LockExpiredError (rejects a write carrying a forged token)',
      ).toBeInstanceOf(LockExpiredError);
      expect(await engine.readMessages(key)).toEqual([]);
      await engine.releaseLease(grant.lease);
    });

    it('renewing a released lease fails and does not bring it back', async ({ expect }) => {
      const key = randomKey();
      const a = ctx.manager({ owner: 'a' });
      await a.create(key);
      const lease = await a.acquire(key, { ttlMs: 10_000 });
      expect(await a.release(lease)).toBe(true);
      expect(
        await caught(a.renew(lease)),
        'SessionManager.renew (renewLease) must throw LockExpiredError (renewing a released lease fails and does not bring it back)',
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(a.append(key, { role: 'user', content: 'x' }, { lease })),
        'SessionManager.append (appendMessages) must throw LockExpiredError (renewing a released lease fails and does not bring it back)',
      ).toBeInstanceOf(LockExpiredError);
      const next = await ctx.manager({ owner: 'b' }).acquire(key);
      expect(next.token).toBeGreaterThan(lease.token);
      await a.release(next);
    });

    it('keeps growing the token when a session is deleted and created again', async ({ expect }) => {
      const key = randomKey();
      const manager = ctx.manager({ owner: 'same-owner' });
      await manager.create(key);
      const old = await manager.acquire(key, { ttlMs: 10_000 });
      await manager.release(old);
      await manager.delete(key);
      await manager.create(key);
      const fresh = await manager.acquire(key, { ttlMs: 10_000 });
      expect(fresh.token, 'acquireLease must keep growing tokens across deleteSession and createSession (lease rows survive)').toBeGreaterThan(old.token);
      // the old lease, same owner name, must not write into the new session
      expect(
        await caught(ctx.engine.appendMessages(key, [testMessage(key, { content: 'stale' })], { lease: { owner: old.owner, token: old.token } })),
        'appendMessages must throw LockExpiredError (keeps growing the token when a session is deleted and created again)',
      ).toBeInstanceOf(LockExpiredError);
      await manager.release(fresh);
      expect(await manager.messages(key)).toEqual([]);
    });

    it('lists leases in key order with held judged on the store clock, for finding stale ones', async ({ expect }) => {
      const userId = `${randomKey().userId}-list`;
      const manager = ctx.manager({ owner: 'lister' });
      const keys = ['a', 'b', 'c', 'd'].map((sessionId) => ({ userId, sessionId }));
      for (const key of keys) await manager.create(key);
      const held = await manager.acquire(keys[0]!, { ttlMs: 30_000 });
      const released = await manager.acquire(keys[1]!, { ttlMs: 30_000 });
      await manager.release(released);
      await manager.acquire(keys[2]!, { ttlMs: 500 });
      await delay(1_200);
      const all = await ctx.engine.listLeases({ userId });
      expect(all.map((lease) => [lease.sessionId, lease.held, lease.owner])).toEqual([
        ['a', true, 'lister'],
        ['b', false, 'lister'],
        ['c', false, 'lister'],
      ]);
      expect(all[0]!.token).toBe(held.token);
      expect(all[0]!.expiresAt).toBeInstanceOf(Date);
      expect(all[1]!.expiresAt).toBeNull();
      expect(all[2]!.expiresAt).toBeInstanceOf(Date);
      expect((await ctx.engine.listLeases({ userId, held: true })).map((lease) => lease.sessionId)).toEqual(['a']);
      expect((await ctx.engine.listLeases({ userId, held: false })).map((lease) => lease.sessionId)).toEqual(['b', 'c']);
      expect((await ctx.engine.listLeases({ userId, after: keys[0]!, limit: 1 })).map((lease) => lease.sessionId)).toEqual(['b']);
      expect(
        await caught(ctx.engine.listLeases({ userId, limit: 0 })),
        'listLeases must throw ValidationError (lists leases in key order with held judged on the store clock, for finding stale ones)',
      ).toBeInstanceOf(ValidationError);
      await manager.release(held);
    });

    it("a lease on one session neither locks nor writes another user's session of the same id", async ({ expect }) => {
      const a = randomKey();
      const b = { userId: `${a.userId}-other`, sessionId: a.sessionId };
      const manager = ctx.manager();
      await manager.create(a);
      await manager.create(b);
      const leaseA = await manager.acquire(a);
      const leaseB = await manager.acquire(b);
      expect(
        await caught(manager.append(b, { role: 'user', content: 'x' }, { lease: leaseA })),
        "SessionManager.append (appendMessages) must throw ValidationError (a lease on one session neither locks nor writes another user's session of the same id)",
      ).toBeInstanceOf(ValidationError);
      expect(
        await caught(ctx.engine.appendMessages(b, [testMessage(b, { content: 'x' })], { lease: { owner: leaseA.owner, token: leaseA.token + 99 } })),
        "appendMessages must throw LockExpiredError (a lease on one session neither locks nor writes another user's session of the same id)",
      ).toBeInstanceOf(LockExpiredError);
      await manager.append(b, { role: 'user', content: 'y' }, { lease: leaseB });
      await manager.release(leaseA);
      await manager.release(leaseB);
    });

    it('waits up to waitMs for a busy session', async ({ expect }) => {
      const key = randomKey();
      const a = ctx.manager({ owner: 'a' });
      const b = ctx.manager({ owner: 'b' });
      await a.create(key);
      const lease = await a.acquire(key, { ttlMs: 10_000 });
      setTimeout(() => void a.release(lease), 300);
      const started = performance.now();
      const waited = await b.acquire(key, { waitMs: 5_000 });
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
      expect(waited.owner).toBe('b');
      expect(waited.token).toBeGreaterThan(lease.token);
      await b.release(waited);
      const held = await a.acquire(key, { ttlMs: 10_000 });
      expect(
        await caught(b.acquire(key, { waitMs: 200 })),
        'SessionManager.acquire (acquireLease) must throw LockHeldError (waits up to waitMs for a busy session)',
      ).toBeInstanceOf(LockHeldError);
      await a.release(held);
    });

    it('stops waiting when the signal aborts', async ({ expect }) => {
      const key = randomKey();
      const a = ctx.manager({ owner: 'a' });
      await a.create(key);
      const lease = await a.acquire(key, { ttlMs: 10_000 });
      const reason = new Error('caller gave up');
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 100);
      expect(
        await caught(ctx.manager({ owner: 'b' }).acquire(key, { waitMs: 10_000, signal: controller.signal })),
        'SessionManager.acquire (acquireLease) must reject with the given reason (stops waiting when the signal aborts)',
      ).toBe(reason);
      await a.release(lease);
    });

    it('treats a lease as lost locally once its deadline passes, before asking the store', async ({ expect }) => {
      const key = randomKey();
      const manager = ctx.manager();
      await manager.create(key);
      const lease = await manager.acquire(key, { ttlMs: 300 });
      await delay(600);
      expect(
        await caught(manager.append(key, { role: 'user', content: 'late' }, { lease })),
        'SessionManager.append (appendMessages) must throw LockExpiredError (treats a lease as lost locally once its deadline passes, before asking the store)',
      ).toBeInstanceOf(LockExpiredError);
      expect(await manager.messages(key)).toEqual([]);
    });
  });
}
