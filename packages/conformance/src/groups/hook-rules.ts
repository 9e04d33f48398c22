import { describe, it } from 'vitest';
import {
  and,
  ConcurrentUpdateError,
  eq,
  LockExpiredError,
  MessageExistsError,
  SessionExistsError,
  SessionNotFoundError,
  ValidationError,
  type Engine,
  type Lease,
  type SessionKey,
} from '@sessions/core';
import { testMessage } from '@sessions/core/testing';
import { caught, delay, randomKey, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';
import { sessionRecord } from './records.js';

const T0 = Date.parse('2026-07-01T00:00:00.000Z');
const at = (offsetMs: number) => new Date(T0 + offsetMs);

/**
 * The rules of the engine hooks that are easy to guess wrong, called on the engine directly
 * (no manager in between), each stated in its assertion messages as "Writing an adapter" states it.
 */
export function hookRuleTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('engine hook rules', () => {
    const ctx = useEngine(init);

    async function created(engine: Engine, overrides: Parameters<typeof sessionRecord>[1] = {}): Promise<SessionKey> {
      const key = randomKey();
      await engine.createSession(sessionRecord(key, { createdAt: at(0), updatedAt: at(0), ...overrides }));
      return key;
    }

    async function lease(engine: Engine, key: SessionKey, owner: string, ttlMs: number): Promise<Lease> {
      const grant = await engine.acquireLease(key, { owner, ttlMs });
      if (!grant.acquired) throw new Error(`acquireLease must grant a free lease (held by ${grant.holder})`);
      return grant.lease;
    }

    it('insert writes all of a batch or none of it', async ({ expect }) => {
      const engine = ctx.engine;
      const existing = await created(engine, { title: 'existing' });
      const fresh = [randomKey(), randomKey()];
      const batch = [sessionRecord(fresh[0]!), sessionRecord(existing, { title: 'overwritten?' }), sessionRecord(fresh[1]!)];
      expect(await caught(engine.insert('sessions', batch)), 'insert must throw SessionExistsError when one session of the batch exists').toBeInstanceOf(
        SessionExistsError,
      );
      for (const key of fresh) expect(await engine.getSession(key), 'insert must write none of a batch that hit SessionExistsError').toBeNull();
      expect((await engine.getSession(existing))?.title, 'insert must leave an existing session as it was').toBe('existing');
      expect(
        await engine.insert(
          'sessions',
          fresh.map((key) => sessionRecord(key)),
        ),
        'insert must return how many sessions it wrote',
      ).toBe(2);
    });

    it("createSession refuses an expired leftover and keeps it (replacing it is the manager's job)", async ({ expect }) => {
      const engine = ctx.engine;
      const key = await created(engine, { title: 'leftover', expiresAt: at(1_000) });
      expect(
        await caught(engine.createSession(sessionRecord(key, { title: 'new', createdAt: at(5_000), updatedAt: at(5_000) }))),
        'createSession must throw SessionExistsError for any stored session under the key, expired or not',
      ).toBeInstanceOf(SessionExistsError);
      expect((await engine.getSession(key))?.title, 'createSession must not replace an expired leftover').toBe('leftover');
    });

    it('appendMessages moves updatedAt to the latest createdAt it appends, never backwards, and leaves version alone', async ({ expect }) => {
      const engine = ctx.engine;
      const key = await created(engine);
      await engine.appendMessages(key, [testMessage(key, { createdAt: at(5_000) }), testMessage(key, { createdAt: at(3_000) })]);
      let session = (await engine.getSession(key))!;
      expect(session.updatedAt.getTime(), "appendMessages must set updatedAt to the latest of its current value and the appended messages' createdAt").toBe(
        T0 + 5_000,
      );
      await engine.appendMessages(key, [testMessage(key, { createdAt: at(-60_000) })]);
      session = (await engine.getSession(key))!;
      expect(session.updatedAt.getTime(), 'appendMessages must never move updatedAt backwards').toBe(T0 + 5_000);
      expect(session.version, 'appendMessages must not change version').toBe(0);
    });

    it('updateSession bumps version by one on every call and sets updatedAt to the one it is given', async ({ expect }) => {
      const engine = ctx.engine;
      const key = await created(engine);
      const first = await engine.updateSession(key, { title: 'a', updatedAt: at(1_000) });
      expect(first.version, 'updateSession must bump version by exactly one').toBe(1);
      expect(first.updatedAt.getTime(), 'updateSession must set updatedAt to changes.updatedAt').toBe(T0 + 1_000);
      const same = await engine.updateSession(key, { title: 'a', updatedAt: at(2_000) });
      expect(same.version, 'updateSession must bump version even when no other field changes').toBe(2);
      expect(await engine.getSession(key), 'updateSession must return the session as stored').toEqual(same);
    });

    it('generic update bumps the version of every session it matches, by one', async ({ expect }) => {
      const engine = ctx.engine;
      const userId = randomKey().userId;
      await engine.insert(
        'sessions',
        ['a', 'b', 'c'].map((sessionId) => sessionRecord({ userId, sessionId }, { title: sessionId === 'c' ? 'other' : 'x' })),
      );
      expect(
        await engine.update('sessions', { where: and(eq('userId', userId), eq('title', 'x')), set: { status: 'archived' } }),
        'update must return how many it matched',
      ).toBe(2);
      const versions = await Promise.all(['a', 'b', 'c'].map(async (sessionId) => (await engine.getSession({ userId, sessionId }))!.version));
      expect(versions, 'update must bump version by one on each matched session and leave the others alone').toEqual([1, 1, 0]);
    });

    it('clearMessages and truncateMessages set updatedAt to the one given and leave version and lastSeq alone', async ({ expect }) => {
      const engine = ctx.engine;
      const key = await created(engine);
      await engine.appendMessages(
        key,
        [1, 2, 3].map((n) => testMessage(key, { content: `m${n}`, createdAt: at(n) })),
      );
      expect(await engine.truncateMessages(key, { afterSeq: 2, updatedAt: at(10_000) }), 'truncateMessages must return how many messages it deleted').toBe(1);
      let session = (await engine.getSession(key))!;
      expect(
        [session.updatedAt.getTime(), session.version, session.lastSeq, session.messageCount],
        'truncateMessages must set updatedAt and messageCount only',
      ).toEqual([T0 + 10_000, 0, 3, 2]);
      expect(await engine.clearMessages(key, { updatedAt: at(20_000) }), 'clearMessages must return how many messages it deleted').toBe(2);
      session = (await engine.getSession(key))!;
      expect(
        [session.updatedAt.getTime(), session.version, session.lastSeq, session.messageCount],
        'clearMessages must set updatedAt and messageCount only',
      ).toEqual([T0 + 20_000, 0, 3, 0]);
    });

    it("message ids are unique among a session's stored messages: clear and truncate free the ids they delete", async ({ expect }) => {
      const engine = ctx.engine;
      const key = await created(engine);
      await engine.appendMessages(key, [testMessage(key, { id: 'a' }), testMessage(key, { id: 'b' })]);
      expect(
        await caught(engine.appendMessages(key, [testMessage(key, { id: 'b' })])),
        'appendMessages must throw MessageExistsError for an id the session already stores',
      ).toBeInstanceOf(MessageExistsError);
      await engine.truncateMessages(key, { afterSeq: 1, updatedAt: at(1) });
      const again = await engine.appendMessages(key, [testMessage(key, { id: 'b' })]);
      expect(again[0]?.seq, 'truncateMessages must free the ids of the messages it deletes, never their seq values').toBe(3);
      await engine.clearMessages(key, { updatedAt: at(2) });
      const afterClear = await engine.appendMessages(key, [testMessage(key, { id: 'a' }), testMessage(key, { id: 'b' })]);
      expect(
        afterClear.map((message) => message.seq),
        'clearMessages must free the ids of the messages it deletes, never their seq values',
      ).toEqual([4, 5]);
    });

    it('readMessages: last is the newest N of the range, limit the oldest N, and both together are refused', async ({ expect }) => {
      const engine = ctx.engine;
      const key = await created(engine);
      await engine.appendMessages(
        key,
        Array.from({ length: 10 }, (_, i) => testMessage(key, { content: `m${i + 1}` })),
      );
      const seqs = async (range: Parameters<Engine['readMessages']>[1]) => (await engine.readMessages(key, range)).map((message) => message.seq);
      expect(
        await seqs({ afterSeq: 2, beforeSeq: 9, last: 2 }),
        'readMessages must return the newest `last` messages of afterSeq < seq < beforeSeq, ascending',
      ).toEqual([7, 8]);
      expect(
        await seqs({ afterSeq: 2, beforeSeq: 9, limit: 2 }),
        'readMessages must return the oldest `limit` messages of afterSeq < seq < beforeSeq, ascending',
      ).toEqual([3, 4]);
      expect(await caught(engine.readMessages(key, { last: 2, limit: 2 })), 'readMessages must refuse last together with limit').toBeInstanceOf(
        ValidationError,
      );
    });

    it('checks a fenced write in this order: the lease, then the session (missing or expired), then expectedVersion', async ({ expect }) => {
      const engine = ctx.engine;
      const forged = { owner: 'nobody', token: 987_654 };
      const missing = randomKey();
      expect(
        await caught(engine.updateSession(missing, { title: 'x', updatedAt: at(1) }, { lease: forged, expectedVersion: 5 })),
        'updateSession must check the lease first: LockExpiredError for a lease not held, even on a missing session',
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(engine.appendMessages(missing, [testMessage(missing)], { lease: forged })),
        'appendMessages must check the lease first: LockExpiredError for a lease not held, even on a missing session',
      ).toBeInstanceOf(LockExpiredError);
      const held = await lease(engine, missing, 'holder', 30_000);
      expect(
        await caught(engine.updateSession(missing, { title: 'x', updatedAt: at(1) }, { lease: held, expectedVersion: 5 })),
        'updateSession must check the session after the lease: SessionNotFoundError for a missing one, before expectedVersion',
      ).toBeInstanceOf(SessionNotFoundError);
      await engine.releaseLease(held);

      const key = await created(engine, { expiresAt: at(60_000) });
      expect(
        await caught(engine.updateSession(key, { title: 'x', updatedAt: at(1) }, { lease: forged, expectedVersion: 99 })),
        'updateSession must check the lease before expectedVersion',
      ).toBeInstanceOf(LockExpiredError);
      const mine = await lease(engine, key, 'holder', 30_000);
      expect(
        await caught(engine.updateSession(key, { title: 'x', updatedAt: at(1) }, { lease: mine, expectedVersion: 99, liveAt: at(60_000) })),
        'updateSession must check expiry (liveAt) before expectedVersion: SessionNotFoundError',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(engine.updateSession(key, { title: 'x', updatedAt: at(1) }, { lease: mine, expectedVersion: 99, liveAt: at(1) })),
        'updateSession must throw ConcurrentUpdateError when a held lease and a live session meet another version',
      ).toBeInstanceOf(ConcurrentUpdateError);
      const stored = (await engine.getSession(key))!;
      expect([stored.title, stored.version], 'a refused updateSession must change nothing').toEqual([null, 0]);
      await engine.releaseLease(mine);
    });

    it('acquireLease is not re-entrant: the same owner is refused while its lease is held', async ({ expect }) => {
      const engine = ctx.engine;
      const key = await created(engine);
      const first = await lease(engine, key, 'same-owner', 30_000);
      const second = await engine.acquireLease(key, { owner: 'same-owner', ttlMs: 30_000 });
      expect(second.acquired, 'acquireLease must refuse a held lease to its own owner too').toBe(false);
      if (!second.acquired) expect(second.holder, 'acquireLease must name the holder when it refuses').toBe('same-owner');
      expect(await engine.releaseLease(first), 'releaseLease must return true for a lease still held').toBe(true);
    });

    it("releaseLease returns false for the caller's own lease once it expired, and the token keeps growing", async ({ expect }) => {
      const engine = ctx.engine;
      const key = await created(engine);
      const expired = await lease(engine, key, 'sleeper', 400);
      await delay(1_000);
      expect(await engine.releaseLease(expired), "releaseLease must return false for a lease that expired, even its own owner's").toBe(false);
      const next = await lease(engine, key, 'sleeper', 30_000);
      expect(next.token, 'acquireLease must grant a bigger token than any before it').toBeGreaterThan(expired.token);
      expect(await engine.releaseLease(next), 'releaseLease must return true for a lease still held').toBe(true);
      expect(await engine.releaseLease(next), 'releaseLease must return false the second time').toBe(false);
    });

    it('lease rows survive deleteSession: a held lease stays held and tokens keep growing', async ({ expect }) => {
      const engine = ctx.engine;
      const key = await created(engine);
      const held = await lease(engine, key, 'keeper', 30_000);
      expect(await engine.deleteSession(key, { lease: held }), 'deleteSession must return true when it deleted the session').toBe(true);
      const refused = await engine.acquireLease(key, { owner: 'other', ttlMs: 30_000 });
      expect(refused.acquired, 'deleteSession must keep the lease row: a lease held across it stays held').toBe(false);
      expect(await engine.deleteSession(key), 'deleteSession must return false when there was nothing to delete').toBe(false);
      expect(await engine.releaseLease(held), 'releaseLease must still find a lease whose session was deleted').toBe(true);
      await engine.createSession(sessionRecord(key));
      const next = await lease(engine, key, 'keeper', 30_000);
      expect(next.token, 'deleteSession must keep the lease row: fencing tokens never restart, even for a re-created session').toBeGreaterThan(held.token);
      await engine.releaseLease(next);
    });
  });
}
