import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockExpiredError, LockHeldError, SessionManager, type SessionKey } from '@sessions/core';
import { type NewMessage } from '@sessions/core/engine';
import { MysqlEngine } from '../src/index.js';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('clock');
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Wall-clock time that faking Date does not touch. */
const realNow = () => performance.timeOrigin + performance.now();

function message(key: SessionKey, content: string): NewMessage {
  return {
    ...key,
    id: randomName('m'),
    role: 'user',
    content,
    name: null,
    toolCalls: null,
    toolCallId: null,
    agentId: null,
    runId: null,
    metadata: {},
    createdAt: new Date(),
  };
}

describe('a client whose clock is wrong', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  for (const [label, skewMs] of [
    ['an hour fast', 3_600_000],
    ['an hour slow', -3_600_000],
  ] as const) {
    it(`gets exactly the same lease behaviour when its clock is ${label}`, async () => {
      const tablePrefix = `${randomName('t')}_`;
      await using engine = new MysqlEngine({ uri: database.url, tablePrefix });
      await using honest = new MysqlEngine({ uri: database.url, tablePrefix });
      await engine.setup();
      await honest.setup();
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + skewMs, shouldAdvanceTime: true });
      expect(Math.abs(Date.now() - realNow() - skewMs)).toBeLessThan(1_000);

      const skewed = new SessionManager({ engine, owner: 'skewed' });
      const other = new SessionManager({ engine: honest, owner: 'other' });
      const key = { userId: 'u', sessionId: randomName('s') };
      await skewed.create(key);

      const lease = await skewed.acquire(key, { ttlMs: 800 });
      // Expiry is on the server's clock: near the real time, not the client's.
      expect(Math.abs(lease.expiresAt.getTime() - (realNow() + 800))).toBeLessThan(2_000);
      await expect(other.acquire(key)).rejects.toBeInstanceOf(LockHeldError);
      const renewed = await skewed.renew(lease);
      expect(renewed.expiresAt.getTime()).toBeGreaterThanOrEqual(lease.expiresAt.getTime());
      await skewed.append(key, { role: 'user', content: 'in time' }, { lease: renewed });

      await delay(1_200);
      const taken = await other.acquire(key, { ttlMs: 10_000 });
      expect(taken.token).toBeGreaterThan(renewed.token);
      await expect(engine.appendMessages(key, [message(key, 'too late')], { lease: renewed })).rejects.toBeInstanceOf(LockExpiredError);
      expect(await engine.renewLease(renewed, { ttlMs: 1_000 })).toBeNull();
      expect(await engine.releaseLease(renewed)).toBe(false);
      await other.append(key, { role: 'user', content: 'next holder' }, { lease: taken });
      expect((await other.messages(key)).map((m) => m.content)).toEqual(['in time', 'next holder']);
      expect(await other.release(taken)).toBe(true);
    });

    it(`lists leases as held or not by the server's clock when its clock is ${label}`, async () => {
      await using engine = new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('t')}_` });
      await engine.setup();
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + skewMs, shouldAdvanceTime: true });
      const userId = 'u';
      // Held for a minute by the server's clock: expired by a clock an hour fast.
      await engine.acquireLease({ userId, sessionId: 'held' }, { owner: 'o', ttlMs: 60_000 });
      // Expired by the server's clock: still held by a clock an hour slow.
      await engine.acquireLease({ userId, sessionId: 'stale' }, { owner: 'o', ttlMs: 200 });
      await delay(400);
      expect((await engine.listLeases({ userId })).map((lease) => [lease.sessionId, lease.held])).toEqual([
        ['held', true],
        ['stale', false],
      ]);
      expect((await engine.listLeases({ userId, held: true })).map((lease) => lease.sessionId)).toEqual(['held']);
      expect((await engine.listLeases({ userId, held: false })).map((lease) => lease.sessionId)).toEqual(['stale']);
    });
  }
});
