import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { SessionManager, SessionNotFoundError, type Session, type SessionKey } from '@sessions/core';
import { type NewMessage } from '@sessions/core/engine';
import { MysqlEngine } from '../src/index.js';
import { countingPool, MYSQL2_POOL } from '@sessions/test-support';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('truncate');

function newMessages(key: SessionKey, label: string, count: number): NewMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    ...key,
    id: `${label}-${i}`,
    role: 'user' as const,
    content: `${label}-${i}`,
    name: null,
    toolCalls: null,
    toolCallId: null,
    agentId: null,
    runId: null,
    metadata: {},
    createdAt: new Date(),
  }));
}

function sessionRow(key: SessionKey, expiresAt: Date | null): Session {
  const created = new Date('2000-01-01T00:00:00.000Z');
  return {
    ...key,
    title: null,
    metadata: {},
    state: {},
    status: 'active',
    createdAt: created,
    updatedAt: created,
    expiresAt,
    parentSessionId: null,
    parentSeq: null,
    messageCount: 0,
    lastSeq: 0,
    version: 0,
  };
}

async function storedCounts(tablePrefix: string, key: SessionKey) {
  const [[session]] = (await database.pool.query(`SELECT message_count, last_seq FROM \`${tablePrefix}sessions\` WHERE user_id = ? AND session_id = ?`, [
    key.userId,
    key.sessionId,
  ])) as any;
  const [rows] = (await database.pool.query(`SELECT seq FROM \`${tablePrefix}messages\` WHERE user_id = ? AND session_id = ? ORDER BY seq`, [
    key.userId,
    key.sessionId,
  ])) as any;
  return {
    messageCount: Number(session.message_count),
    lastSeq: Number(session.last_seq),
    seqs: (rows as Array<{ seq: unknown }>).map((row) => Number(row.seq)),
  };
}

describe('truncateMessages', () => {
  // Two messages go through the append routine; six through the transaction of statements.
  for (const [path, batch] of [
    ['routine', 2],
    ['statements', 6],
  ] as const) {
    it(`racing appends from other pools keeps messageCount equal to the rows left and never reuses a seq (${path})`, async () => {
      const tablePrefix = `${randomName('t')}_`;
      const appenders = [0, 1].map(() => new MysqlEngine({ uri: database.url, tablePrefix, connectionLimit: 2 }));
      const truncator = new MysqlEngine({ uri: database.url, tablePrefix, connectionLimit: 2 });
      await Promise.all([...appenders, truncator].map((engine) => engine.setup()));
      try {
        const key = { userId: 'u', sessionId: 'raced' };
        const now = new Date();
        await truncator.createSession({
          ...key,
          title: null,
          metadata: {},
          state: {},
          status: 'active',
          createdAt: now,
          updatedAt: now,
          expiresAt: null,
          parentSessionId: null,
          parentSeq: null,
          messageCount: 0,
          lastSeq: 0,
          version: 0,
        });
        const handedOut: number[] = [];
        let deleted = 0;
        const appending = appenders.map(async (engine, a) => {
          for (let turn = 0; turn < 25; turn++) {
            const appended = await engine.appendMessages(key, newMessages(key, `a${a}t${turn}`, batch));
            handedOut.push(...appended.map((message) => message.seq));
          }
        });
        const truncating = (async () => {
          for (let turn = 0; turn < 25; turn++) {
            const { lastSeq } = (await truncator.getSession(key))!;
            deleted += await truncator.truncateMessages(key, { afterSeq: Math.max(0, lastSeq - batch), updatedAt: new Date() });
          }
        })();
        await Promise.all([...appending, truncating]);
        const total = 2 * 25 * batch;
        expect(deleted).toBeGreaterThan(0);
        expect(new Set(handedOut).size).toBe(total);
        expect([...handedOut].sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        const stored = await storedCounts(tablePrefix, key);
        expect(stored.lastSeq).toBe(total);
        expect(stored.messageCount).toBe(stored.seqs.length);
        expect(stored.seqs.length).toBe(total - deleted);
        expect(await truncator.getSession(key)).toMatchObject({ messageCount: stored.seqs.length, lastSeq: total });
      } finally {
        await Promise.all([...appenders, truncator].map((engine) => engine.close()));
        await database.dropTables(tablePrefix);
      }
    }, 60_000);
  }
});

describe('liveAt', () => {
  for (const appendRoutine of [true, false]) {
    it(`is judged on the caller's clock, not the server's (${appendRoutine ? 'routine' : 'statements'})`, async () => {
      const tablePrefix = `${randomName('l')}_`;
      await using engine = new MysqlEngine({ uri: database.url, tablePrefix, appendRoutine });
      await engine.setup();
      try {
        const key = { userId: 'u', sessionId: 'clock' };
        // Expired long ago by the server's clock, but the caller's clock is further behind still.
        const expiresAt = new Date('2001-01-01T00:00:00.000Z');
        const before = new Date(expiresAt.getTime() - 1);
        const created = new Date('2000-01-01T00:00:00.000Z');
        await engine.createSession({
          ...key,
          title: null,
          metadata: {},
          state: {},
          status: 'active',
          createdAt: created,
          updatedAt: created,
          expiresAt,
          parentSessionId: null,
          parentSeq: null,
          messageCount: 0,
          lastSeq: 0,
          version: 0,
        });
        await engine.appendMessages(key, newMessages(key, 'live', 1), { liveAt: before });
        await engine.updateSession(key, { title: 'still live', updatedAt: before }, { liveAt: before, expectedVersion: 0 });
        expect(await engine.truncateMessages(key, { afterSeq: 1, updatedAt: before, liveAt: before })).toBe(0);
        // At exactly expiresAt the session is gone, whatever the server thinks the time is.
        await expect(engine.appendMessages(key, newMessages(key, 'late', 1), { liveAt: expiresAt })).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(engine.updateSession(key, { title: 'late', updatedAt: expiresAt }, { liveAt: expiresAt, expectedVersion: 1 })).rejects.toBeInstanceOf(
          SessionNotFoundError,
        );
        await expect(engine.truncateMessages(key, { afterSeq: 0, updatedAt: expiresAt, liveAt: expiresAt })).rejects.toBeInstanceOf(SessionNotFoundError);
        expect(await engine.getSession(key)).toMatchObject({ title: 'still live', messageCount: 1, lastSeq: 1, version: 1 });
        // And a session far in the server's future is expired for a caller whose clock is past it.
        const future = { userId: 'u', sessionId: 'future' };
        const far = new Date('2999-01-01T00:00:00.000Z');
        await engine.createSession({
          ...future,
          title: null,
          metadata: {},
          state: {},
          status: 'active',
          createdAt: created,
          updatedAt: created,
          expiresAt: far,
          parentSessionId: null,
          parentSeq: null,
          messageCount: 0,
          lastSeq: 0,
          version: 0,
        });
        await expect(engine.appendMessages(future, newMessages(future, 'late', 2), { liveAt: new Date(far.getTime() + 1) })).rejects.toBeInstanceOf(
          SessionNotFoundError,
        );
        expect(await storedCounts(tablePrefix, future)).toEqual({ messageCount: 0, lastSeq: 0, seqs: [] });
      } finally {
        await engine.close();
        await database.dropTables(tablePrefix);
      }
    });
  }

  it("hides an expired session's messages from reads judged on the caller's clock, not the server's", async () => {
    const tablePrefix = `${randomName('r')}_`;
    await using engine = new MysqlEngine({ uri: database.url, tablePrefix });
    await engine.setup();
    try {
      const ranges = [{}, { last: 2 }, { afterSeq: 1 }, { beforeSeq: 3 }, { limit: 2 }, { afterSeq: 1, beforeSeq: 3, last: 1 }];
      const contents = async (key: SessionKey, liveAt?: Date) =>
        Promise.all(ranges.map(async (range) => (await engine.readMessages(key, liveAt ? { ...range, liveAt } : range)).map((m) => m.content)));
      const everything = [['past-0', 'past-1', 'past-2'], ['past-1', 'past-2'], ['past-1', 'past-2'], ['past-0', 'past-1'], ['past-0', 'past-1'], ['past-1']];
      // Expired long ago by the server's clock, but the caller's clock is further behind still.
      const past = { userId: 'u', sessionId: 'past' };
      const expiresAt = new Date('2001-01-01T00:00:00.000Z');
      await engine.createSession(sessionRow(past, expiresAt), []);
      await engine.appendMessages(past, newMessages(past, 'past', 3));
      expect(await contents(past, new Date(expiresAt.getTime() - 1))).toEqual(everything);
      // At exactly expiresAt every range reads empty; without liveAt the rows are all still there.
      expect(await contents(past, expiresAt)).toEqual(ranges.map(() => []));
      expect(await contents(past)).toEqual(everything);
      // Expiry is read from the row by each statement: an extension shows at once.
      await engine.updateSession(past, { expiresAt: new Date('2002-01-01T00:00:00.000Z'), updatedAt: expiresAt });
      expect(await contents(past, expiresAt)).toEqual(everything);
      // Far in the server's future, but expired for a caller whose clock is past it.
      const future = { userId: 'u', sessionId: 'future' };
      const far = new Date('2999-01-01T00:00:00.000Z');
      await engine.createSession(sessionRow(future, far), []);
      await engine.appendMessages(future, newMessages(future, 'future', 1));
      expect(await engine.readMessages(future, { liveAt: new Date(far.getTime() + 1) })).toEqual([]);
      expect((await engine.readMessages(future, { liveAt: new Date(far.getTime() - 1) })).map((m) => m.content)).toEqual(['future-0']);
      // No expiry at all: live whatever the time; no session: nothing to read.
      const forever = { userId: 'u', sessionId: 'forever' };
      await engine.createSession(sessionRow(forever, null), []);
      await engine.appendMessages(forever, newMessages(forever, 'forever', 1));
      expect((await engine.readMessages(forever, { liveAt: far })).map((m) => m.content)).toEqual(['forever-0']);
      expect(await engine.readMessages({ userId: 'u', sessionId: 'missing' }, { liveAt: far })).toEqual([]);
      // Another user's session of the same id and expiry does not make this one readable.
      const sameId = { userId: 'v', sessionId: 'past' };
      await engine.createSession(sessionRow(sameId, null), []);
      expect(await engine.readMessages(past, { liveAt: new Date('2003-01-01T00:00:00.000Z') })).toEqual([]);
      expect(await storedCounts(tablePrefix, past)).toEqual({ messageCount: 3, lastSeq: 3, seqs: [1, 2, 3] });
    } finally {
      await engine.close();
      await database.dropTables(tablePrefix);
    }
  });

  it('reads in one statement with or without it, and without it queries only the messages table', async () => {
    const inner = mysql.createPool({ uri: database.url, connectionLimit: 2 });
    const pool = countingPool(inner, MYSQL2_POOL);
    const tablePrefix = `${randomName('c')}_`;
    try {
      await using engine = new MysqlEngine({ pool, tablePrefix });
      await engine.setup();
      let now = Date.parse('2026-06-01T00:00:00.000Z');
      const sessions = new SessionManager({ engine, clock: () => now });
      const key = { userId: 'u', sessionId: 'counted' };
      await sessions.create({ ...key, ttlMs: 1_000, messages: ['a', 'b', 'c'].map((content) => ({ role: 'user' as const, content })) });
      pool.sent.length = 0;
      expect((await sessions.messages(key, { last: 2 })).map((m) => m.content)).toEqual(['b', 'c']);
      expect(pool.sent).toEqual([
        expect.stringMatching(new RegExp(`^SELECT .* FROM \`${tablePrefix}messages\` WHERE .* AND EXISTS \\(SELECT 1 FROM \`${tablePrefix}sessions\` `)),
      ]);
      now += 1_000;
      pool.sent.length = 0;
      expect(await sessions.messages(key)).toEqual([]);
      expect(pool.sent).toHaveLength(1);
      pool.sent.length = 0;
      expect((await engine.readMessages(key, { last: 2 })).map((m) => m.content)).toEqual(['b', 'c']);
      expect(pool.sent).toHaveLength(1);
      expect(pool.sent[0]).not.toContain(engine.tables.sessions);
      expect(pool.sent[0]).toMatch(/ WHERE user_id = \? AND session_id = \? ORDER BY seq DESC LIMIT \?$/);
    } finally {
      await database.dropTables(tablePrefix);
      await inner.end();
    }
  });
});
