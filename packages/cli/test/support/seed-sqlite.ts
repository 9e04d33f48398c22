import type { Engine, Session } from '@sessions/core';
import { testMessage } from '@sessions/core/testing';

/**
 * Writes `sessions` sessions of `messages` messages each straight through the engine (one
 * atomic createSession per session), plus a few long ones, fast enough for big fixtures.
 */
export async function seedBulk(engine: Engine, options: { sessions: number; messages: number; long?: number; longMessages?: number }): Promise<void> {
  const base = Date.UTC(2026, 0, 1);
  const make = async (userId: string, sessionId: string, count: number, i: number): Promise<void> => {
    const createdAt = new Date(base + i * 1_000);
    const updatedAt = new Date(base + i * 1_000 + count);
    const messages = Array.from({ length: count }, (_, m) =>
      testMessage(
        { userId, sessionId },
        {
          seq: m + 1,
          id: `msg_${i}_${m}`,
          role: m % 2 ? 'assistant' : 'user',
          content: m % 5 === 4 ? [{ type: 'text', text: `part ${m} ✓` }] : `message ${m} of ${sessionId} 🦊`,
          agentId: m % 2 ? 'agent' : null,
          metadata: { m },
          createdAt: new Date(createdAt.getTime() + m),
        },
      ),
    );
    const session: Session = {
      userId,
      sessionId,
      title: `session ${i}`,
      metadata: { i, even: i % 2 === 0 },
      state: { counter: i },
      status: i % 7 === 0 ? 'archived' : 'active',
      createdAt,
      updatedAt,
      expiresAt: null,
      parentSessionId: null,
      parentSeq: null,
      messageCount: count,
      lastSeq: count,
      version: i % 3,
    };
    await engine.createSession(session, messages);
  };
  for (let i = 0; i < options.sessions; i++) await make(`user_${i % 17}`, `s_${String(i).padStart(5, '0')}`, options.messages, i);
  for (let i = 0; i < (options.long ?? 0); i++) await make('long_user', `long_${i}`, options.longMessages ?? 1_000, options.sessions + i);
}
