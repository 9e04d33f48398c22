import { describe, expect, it } from 'vitest';
import { SessionExistsError, type MessagesEvent, type SessionEvent } from '../src/index.js';
import { memoryManager as manager } from './support/memory-manager.js';

describe('fork', () => {
  it('reports the copied messages to messages listeners, like create and import', async () => {
    const sessions = await manager();
    const key = await sessions.create({
      userId: 'u',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
      ],
    });
    const events: Array<SessionEvent | MessagesEvent> = [];
    sessions.on('session', (event) => events.push(event));
    sessions.on('messages', (event) => events.push(event));
    const fork = await sessions.fork(key, { sessionId: 'fork', upToSeq: 1 });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'created', key: { userId: 'u', sessionId: 'fork' } });
    expect(events[1]).toMatchObject({ key: { userId: 'u', sessionId: 'fork' }, messages: [{ seq: 1, content: 'a', sessionId: 'fork' }] });
    expect(fork).toMatchObject({ parentSessionId: key.sessionId, parentSeq: 1, lastSeq: 1, messageCount: 1 });
  });

  it('replaces an expired leftover under the target id, and only an expired one', async () => {
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const sessions = await manager({ clock: () => now });
    const source = await sessions.create({ userId: 'u', sessionId: 'source', messages: [{ role: 'user', content: 'kept' }] });
    await sessions.create({ userId: 'u', sessionId: 'old', ttlMs: 1_000, messages: [{ role: 'user', content: 'stale' }] });
    await sessions.create({ userId: 'u', sessionId: 'live' });
    now += 2_000;
    const fork = await sessions.fork(source, { sessionId: 'old' });
    expect(fork).toMatchObject({ sessionId: 'old', parentSessionId: 'source', expiresAt: null, messageCount: 1 });
    expect((await sessions.messages(fork)).map((message) => message.content)).toEqual(['kept']);
    await expect(sessions.fork(source, { sessionId: 'live' })).rejects.toThrow(SessionExistsError);
  });
});
