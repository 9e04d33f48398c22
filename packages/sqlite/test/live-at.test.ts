import { afterEach, describe, it } from 'vitest';
import Database from 'better-sqlite3';
import { SessionNotFoundError, type Session, type SessionKey } from '@sessions/core';
import { type MessageRange, type NewMessage } from '@sessions/core/engine';
import { SqliteEngine } from '../src/index.js';
import { pathOf, removeTempDir, tempEngine } from './helpers.js';
import { dirname } from 'node:path';

const engines: SqliteEngine[] = [];

async function openEngine(): Promise<SqliteEngine> {
  const engine = tempEngine();
  engines.push(engine);
  await engine.setup();
  return engine;
}

afterEach(async () => {
  for (const engine of engines.splice(0)) {
    const path = pathOf(engine);
    await engine.close();
    removeTempDir(dirname(path));
  }
});

function session(key: SessionKey, expiresAt: Date | null): Session {
  const now = new Date();
  return {
    ...key,
    title: null,
    metadata: {},
    state: {},
    status: 'active',
    createdAt: now,
    updatedAt: now,
    expiresAt,
    parentSessionId: null,
    parentSeq: null,
    messageCount: 0,
    lastSeq: 0,
    version: 0,
  };
}

function message(key: SessionKey, id: string): NewMessage {
  const absent = { name: null, toolCalls: null, toolCallId: null, agentId: null, runId: null };
  return { ...key, ...absent, id, role: 'user', content: id, metadata: {}, createdAt: new Date() };
}

describe('writes to a session that may have expired', () => {
  it("judges expiry by the caller's liveAt, never by this machine's clock", async ({ expect }) => {
    const engine = await openEngine();
    const key = { userId: 'u', sessionId: 'caller-clock' };
    const expiresAt = new Date(Date.now() - 60_000);
    await engine.createSession(session(key, expiresAt));
    // Past by this machine's clock, but not by the caller's (a manager running behind): the write goes in.
    const before = new Date(expiresAt.getTime() - 1);
    await engine.appendMessages(key, [message(key, 'a'), message(key, 'b')], { liveAt: before });
    await engine.updateSession(key, { title: 'still live', updatedAt: new Date() }, { liveAt: before });
    expect(await engine.truncateMessages(key, { afterSeq: 1, updatedAt: new Date(), liveAt: before })).toBe(1);
    expect(await engine.getSession(key)).toMatchObject({ title: 'still live', messageCount: 1, lastSeq: 2, version: 1 });
  });

  it('refuses every kind of write at exactly expiresAt and later, leaving the rows as they were', async ({ expect }) => {
    const engine = await openEngine();
    const key = { userId: 'u', sessionId: 'expired' };
    const expiresAt = new Date(Date.now() + 60_000);
    await engine.createSession(session(key, expiresAt), []);
    await engine.appendMessages(key, [message(key, 'kept')]);
    const stored = await engine.getSession(key);
    for (const liveAt of [expiresAt, new Date(expiresAt.getTime() + 1)]) {
      await expect(engine.appendMessages(key, [message(key, 'late')], { liveAt })).rejects.toBeInstanceOf(SessionNotFoundError);
      await expect(engine.updateSession(key, { title: 'late', updatedAt: new Date() }, { liveAt, expectedVersion: 0 })).rejects.toBeInstanceOf(
        SessionNotFoundError,
      );
      await expect(engine.clearMessages(key, { updatedAt: new Date(), liveAt })).rejects.toBeInstanceOf(SessionNotFoundError);
      await expect(engine.truncateMessages(key, { afterSeq: 0, updatedAt: new Date(), liveAt })).rejects.toBeInstanceOf(SessionNotFoundError);
    }
    expect(await engine.getSession(key)).toEqual(stored);
    expect((await engine.readMessages(key)).map((m) => m.id)).toEqual(['kept']);
    // Without liveAt the engine does not judge expiry: that stays the caller's choice.
    await engine.appendMessages(key, [message(key, 'unchecked')]);
    expect(await engine.getSession(key)).toMatchObject({ messageCount: 2, lastSeq: 2 });
  });
});

describe('reads of a session that may have expired', () => {
  const ranges: MessageRange[] = [{}, { last: 1 }, { last: 5 }, { afterSeq: 1 }, { beforeSeq: 3 }, { limit: 1 }, { afterSeq: 1, beforeSeq: 3, limit: 5 }];

  it('reads nothing at exactly expiresAt and later, in every range shape, and the same rows as without liveAt before it', async ({ expect }) => {
    const engine = await openEngine();
    const key = { userId: 'u', sessionId: 'expiring' };
    const expiresAt = new Date(Date.now() + 60_000);
    await engine.createSession(session(key, expiresAt));
    await engine.appendMessages(key, [message(key, 'a'), message(key, 'b'), message(key, 'c')]);
    for (const range of ranges) {
      const unchecked = await engine.readMessages(key, range);
      expect(unchecked.length).toBeGreaterThan(0);
      expect(await engine.readMessages(key, { ...range, liveAt: new Date(expiresAt.getTime() - 1) })).toEqual(unchecked);
      expect(await engine.readMessages(key, { ...range, liveAt: expiresAt })).toEqual([]);
      expect(await engine.readMessages(key, { ...range, liveAt: new Date(expiresAt.getTime() + 1) })).toEqual([]);
    }
    // Reading removed nothing: tools that read without liveAt still see every row until deleteExpired.
    expect((await engine.readMessages(key)).map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(await engine.deleteExpired(new Date(expiresAt.getTime() + 1))).toBe(1);
    expect(await engine.readMessages(key)).toEqual([]);
  });

  it("judges expiry by the caller's liveAt, never by this machine's clock", async ({ expect }) => {
    const engine = await openEngine();
    const key = { userId: 'u', sessionId: 'caller-clock' };
    const expiresAt = new Date(Date.now() - 60_000);
    await engine.createSession(session(key, expiresAt), []);
    await engine.appendMessages(key, [message(key, 'a'), message(key, 'b')]);
    // Past by this machine's clock, not by the caller's (a manager running behind): the read sees the rows.
    const before = new Date(expiresAt.getTime() - 1);
    expect((await engine.readMessages(key, { liveAt: before })).map((m) => m.id)).toEqual(['a', 'b']);
    expect((await engine.readMessages(key, { last: 1, liveAt: before })).map((m) => m.id)).toEqual(['b']);
  });

  it('never expires a session without expiresAt, and reads a missing session as empty', async ({ expect }) => {
    const engine = await openEngine();
    const key = { userId: 'u', sessionId: 'forever' };
    await engine.createSession(session(key, null));
    await engine.appendMessages(key, [message(key, 'a')]);
    const farFuture = new Date('9999-12-31T23:59:59.999Z');
    expect((await engine.readMessages(key, { liveAt: farFuture })).map((m) => m.id)).toEqual(['a']);
    expect(await engine.readMessages({ userId: 'u', sessionId: 'missing' }, { liveAt: new Date() })).toEqual([]);
  });

  it("judges each session by its own row: another session's or another user's expiry does not leak into the read", async ({ expect }) => {
    const engine = await openEngine();
    const now = Date.now();
    const expired = { userId: 'alice', sessionId: 'shared-id' };
    const sameIdOtherUser = { userId: 'bob', sessionId: 'shared-id' };
    const sameUserOtherId = { userId: 'alice', sessionId: 'other-id' };
    await engine.createSession(session(expired, new Date(now - 1_000)));
    await engine.createSession(session(sameIdOtherUser, new Date(now + 60_000)));
    await engine.createSession(session(sameUserOtherId, null));
    for (const key of [expired, sameIdOtherUser, sameUserOtherId]) await engine.appendMessages(key, [message(key, `${key.userId}/${key.sessionId}`)]);
    const liveAt = new Date(now);
    expect(await engine.readMessages(expired, { liveAt })).toEqual([]);
    expect((await engine.readMessages(sameIdOtherUser, { liveAt })).map((m) => m.id)).toEqual(['bob/shared-id']);
    expect((await engine.readMessages(sameUserOtherId, { last: 1, liveAt })).map((m) => m.id)).toEqual(['alice/other-id']);
  });

  it('runs one statement per read, with the expiry check inside it only when liveAt is given, checked once and on the primary keys', async ({ expect }) => {
    // An injected connection whose statements report each execution, so the test sees exactly what a read runs.
    const db = new Database(':memory:');
    const executed: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      const statement = prepare(sql);
      for (const method of ['all', 'get', 'run', 'iterate'] as const) {
        const original = statement[method].bind(statement) as (...params: unknown[]) => unknown;
        (statement as unknown as Record<string, unknown>)[method] = (...params: unknown[]) => {
          executed.push(sql);
          return original(...params);
        };
      }
      return statement;
    }) as typeof db.prepare;
    const engine = new SqliteEngine({ database: db });
    try {
      await engine.setup();
      const key = { userId: 'u', sessionId: 's' };
      await engine.createSession(session(key, new Date(Date.now() + 60_000)));
      await engine.appendMessages(key, [message(key, 'a'), message(key, 'b')]);

      const statementsOf = async (range: MessageRange) => {
        executed.length = 0;
        const messages = await engine.readMessages(key, range);
        expect(messages.length).toBeGreaterThan(0);
        expect(executed).toHaveLength(1);
        return executed[0]!;
      };
      for (const range of [{}, { last: 1 }]) {
        expect(await statementsOf(range)).not.toContain('"sessions"');
        const checked = await statementsOf({ ...range, liveAt: new Date() });
        expect(checked).toMatch(/EXISTS \(SELECT 1 FROM "sessions"/);
        const plan = (prepare(`EXPLAIN QUERY PLAN ${checked}`).all('u', 's', 0, 10, 'u', 's', 0, 5) as Array<{ detail: string }>).map((r) => r.detail);
        expect(plan.join('\n')).not.toMatch(/TEMP B-TREE|CORRELATED|SCAN/);
        expect(plan.some((detail) => /SEARCH sessions .*\(user_id=\? AND session_id=\?\)/.test(detail))).toBe(true);
        expect(plan.some((detail) => /SEARCH messages .*\(user_id=\? AND session_id=\? AND seq>\? AND seq<\?\)/.test(detail))).toBe(true);
      }
    } finally {
      await engine.close();
      db.close();
    }
  });
});
