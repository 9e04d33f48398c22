import { describe, expect, it } from 'vitest';
import { eq, gt, type Message, type Session } from '../src/index.js';
import { compareByOrder, matchesFilter, MessageModel, resolveFilter, resolveOrderBy, SessionModel } from '../src/engine/index.js';
import { testMessage } from '../src/testing.js';

const session = (sessionId: string, lastSeq: number): Session => ({
  userId: 'u',
  sessionId,
  title: null,
  metadata: { tier: sessionId === 'b' ? 'pro' : 'free' },
  state: {},
  status: 'active',
  createdAt: new Date(0),
  updatedAt: new Date(0),
  expiresAt: null,
  parentSessionId: null,
  parentSeq: null,
  messageCount: 0,
  lastSeq,
  version: 0,
});

// These compile without a cast: the helpers take the model types as they are.
describe('in-process query helpers for adapter authors', () => {
  it('filter and order Session records', () => {
    const rows: Session[] = [session('a', 3), session('b', 1), session('c', 2)];
    const where = resolveFilter(gt('lastSeq', 1), SessionModel);
    const kept = rows.filter((row) => matchesFilter(where, row));
    kept.sort(compareByOrder<Session>(resolveOrderBy([{ field: 'lastSeq', direction: 'asc' }], SessionModel)));
    expect(kept.map((row) => row.sessionId)).toEqual(['c', 'a']);
    expect(matchesFilter(resolveFilter(eq('metadata.tier', 'pro'), SessionModel), rows[1]!)).toBe(true);
  });

  it('filter Message records', () => {
    const key = { userId: 'u', sessionId: 's' };
    const messages: Message[] = [1, 2, 3].map((seq) => ({ ...testMessage(key, { content: `m${seq}` }), seq }));
    const where = resolveFilter(gt('seq', 1), MessageModel);
    expect(messages.filter((message) => matchesFilter(where, message)).map((message) => message.seq)).toEqual([2, 3]);
  });
});
