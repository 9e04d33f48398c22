import type { Session, SessionKey } from '@sessions/core';

/** A complete new session record, as `insert` and `createSession` take it. */
export function sessionRecord(key: SessionKey, overrides: Partial<Session> = {}): Session {
  const now = new Date('2026-01-02T03:04:05.678Z');
  return {
    userId: key.userId,
    sessionId: key.sessionId,
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
    ...overrides,
  };
}
