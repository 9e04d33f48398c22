import { describe, expect, it } from 'vitest';
import { MemoryEngine, SessionManager, SessionNotFoundError, type Session, type SessionKey } from '../src/index.js';

/**
 * Time passes while the session row is read: the session expires between the manager's check of
 * it and its read of the messages. Judging both at one instant keeps the two consistent.
 */
class SlowSessionReads extends MemoryEngine {
  onSessionRead: () => void = () => {};
  protected override async doGetSession(key: SessionKey): Promise<Session | null> {
    const session = await super.doGetSession(key);
    this.onSessionRead();
    return session;
  }
}

async function expiringSession() {
  let now = Date.parse('2026-06-01T00:00:00.000Z');
  const engine = new SlowSessionReads();
  await engine.setup();
  const sessions = new SessionManager({ engine, clock: () => now });
  const key = await sessions.create({
    userId: 'u',
    ttlMs: 1_000,
    messages: [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'hi' },
    ],
  });
  now += 900;
  engine.onSessionRead = () => {
    now += 200;
  };
  return { sessions, key, engine };
}

/** The session is deleted right after the manager has read it live, before its messages are read. */
async function sessionDeletedMidRead() {
  const engine = new SlowSessionReads();
  await engine.setup();
  const sessions = new SessionManager({ engine });
  const key = await sessions.create({ userId: 'u', messages: [{ role: 'user', content: 'hello' }] });
  engine.onSessionRead = () => {
    engine.onSessionRead = () => {};
    void engine.deleteSession(key);
  };
  return { sessions, key };
}

describe('a session and its messages are judged at one instant', () => {
  it('run hands over the whole history of a session that was live when it started', async () => {
    const { sessions, key } = await expiringSession();
    const seen = await sessions.run(key, async ({ session, history }) => ({ lastSeq: session.lastSeq, contents: history.map((m) => m.content) }));
    expect(seen).toEqual({ lastSeq: 2, contents: ['hello', 'hi'] });
  });

  it('export writes every message of a session that was live when it started', async () => {
    const { sessions, key } = await expiringSession();
    const exported = await sessions.export(key);
    expect(exported.messages.map((m) => m.content)).toEqual(['hello', 'hi']);
  });

  it('fork copies every message of a session that was live when it started', async () => {
    const { sessions, key } = await expiringSession();
    const forked = await sessions.fork(key, { sessionId: 'copy' });
    expect(forked).toMatchObject({ messageCount: 2, lastSeq: 2 });
  });

  it('run, export and fork of a session deleted while they read refuse with SessionNotFoundError, never a copy without messages', async () => {
    const exporting = await sessionDeletedMidRead();
    await expect(exporting.sessions.export(exporting.key)).rejects.toBeInstanceOf(SessionNotFoundError);
    const running = await sessionDeletedMidRead();
    await expect(running.sessions.run(running.key, async () => 'ran')).rejects.toBeInstanceOf(SessionNotFoundError);
    const forking = await sessionDeletedMidRead();
    await expect(forking.sessions.fork(forking.key, { sessionId: 'copy' })).rejects.toBeInstanceOf(SessionNotFoundError);
    expect(await forking.sessions.get({ userId: 'u', sessionId: 'copy' })).toBeNull();
  });
});
