import { describe, expect, it } from 'vitest';
import { SessionNotFoundError, type NewMessage, type SessionKey } from '@sessions/core';
import { MysqlEngine } from '../src/index.js';
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

async function storedCounts(tablePrefix: string, key: SessionKey) {
  const [[session]] = (await database.pool.query(`SELECT message_count, last_seq FROM \`${tablePrefix}sessions\` WHERE user_id = ? AND session_id = ?`, [key.userId, key.sessionId])) as any;
  const [rows] = (await database.pool.query(`SELECT seq FROM \`${tablePrefix}messages\` WHERE user_id = ? AND session_id = ? ORDER BY seq`, [key.userId, key.sessionId])) as any;
  return { messageCount: Number(session.message_count), lastSeq: Number(session.last_seq), seqs: (rows as Array<{ seq: unknown }>).map((row) => Number(row.seq)) };
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
        await truncator.createSession({ ...key, title: null, metadata: {}, state: {}, status: 'active', createdAt: now, updatedAt: now, expiresAt: null, parentSessionId: null, parentSeq: null, messageCount: 0, lastSeq: 0, version: 0 });
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
        await engine.createSession({ ...key, title: null, metadata: {}, state: {}, status: 'active', createdAt: created, updatedAt: created, expiresAt, parentSessionId: null, parentSeq: null, messageCount: 0, lastSeq: 0, version: 0 });
        await engine.appendMessages(key, newMessages(key, 'live', 1), { liveAt: before });
        await engine.updateSession(key, { title: 'still live', updatedAt: before }, { liveAt: before, expectedVersion: 0 });
        expect(await engine.truncateMessages(key, { afterSeq: 1, updatedAt: before, liveAt: before })).toBe(0);
        // At exactly expiresAt the session is gone, whatever the server thinks the time is.
        await expect(engine.appendMessages(key, newMessages(key, 'late', 1), { liveAt: expiresAt })).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(engine.updateSession(key, { title: 'late', updatedAt: expiresAt }, { liveAt: expiresAt, expectedVersion: 1 })).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(engine.truncateMessages(key, { afterSeq: 0, updatedAt: expiresAt, liveAt: expiresAt })).rejects.toBeInstanceOf(SessionNotFoundError);
        expect(await engine.getSession(key)).toMatchObject({ title: 'still live', messageCount: 1, lastSeq: 1, version: 1 });
        // And a session far in the server's future is expired for a caller whose clock is past it.
        const future = { userId: 'u', sessionId: 'future' };
        const far = new Date('2999-01-01T00:00:00.000Z');
        await engine.createSession({ ...future, title: null, metadata: {}, state: {}, status: 'active', createdAt: created, updatedAt: created, expiresAt: far, parentSessionId: null, parentSeq: null, messageCount: 0, lastSeq: 0, version: 0 });
        await expect(engine.appendMessages(future, newMessages(future, 'late', 2), { liveAt: new Date(far.getTime() + 1) })).rejects.toBeInstanceOf(SessionNotFoundError);
        expect(await storedCounts(tablePrefix, future)).toEqual({ messageCount: 0, lastSeq: 0, seqs: [] });
      } finally {
        await engine.close();
        await database.dropTables(tablePrefix);
      }
    });
  }
});
