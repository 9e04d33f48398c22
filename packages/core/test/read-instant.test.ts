import { describe, expect, it } from 'vitest';
import { MemoryEngine, SessionManager, type Session, type SessionKey } from '../src/index.js';

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
  const key = await sessions.create({ userId: 'u', ttlMs: 1_000, messages: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }] });
  now += 900;
  engine.onSessionRead = () => {
    now += 200;
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
});
