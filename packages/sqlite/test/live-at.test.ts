import { afterEach, describe, it } from 'vitest';
import { SessionNotFoundError, type NewMessage, type Session, type SessionKey } from '@sessions/core';
import type { SqliteEngine } from '../src/index.js';
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
  } as Session;
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
