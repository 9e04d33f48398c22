import type { Engine, MessageRange } from '../engine/engine.js';
import { SessionNotFoundError, type SessionKey } from '../errors.js';
import { isExpiredAt } from '../models/expiry.js';
import type { Message } from '../models/message-model.js';
import type { Session } from '../models/session-model.js';

/** The session, or null if it does not exist or has expired by `at`. */
export async function getLive(engine: Engine, key: SessionKey, at: Date): Promise<Session | null> {
  const session = await engine.getSession(key);
  return session && !isExpiredAt(session, at) ? session : null;
}

export async function requireLive(engine: Engine, key: SessionKey, at: Date): Promise<Session> {
  const session = await getLive(engine, key, at);
  if (!session) throw new SessionNotFoundError(key);
  return session;
}

/** Which messages to read once the session is known, or false for none. */
export type RangeOf = (session: Session) => Omit<MessageRange, 'liveAt'> | false;

/**
 * The live session and its messages, both judged at one instant (`now()` once), so a reader
 * never sees a live session with an empty past. An empty read from a session that had messages
 * means it expired or went away in between, unless it was cleared: the session is read again
 * to tell which.
 */
export async function readLive(engine: Engine, key: SessionKey, now: () => Date, rangeOf: RangeOf): Promise<{ session: Session; messages: Message[] }> {
  const readAt = now();
  const session = await requireLive(engine, key, readAt);
  const range = rangeOf(session);
  if (range === false) return { session, messages: [] };
  const messages = await engine.readMessages(key, { ...range, liveAt: readAt });
  if (messages.length === 0 && range.last !== 0 && range.limit !== 0 && session.messageCount > 0) await requireLive(engine, key, now());
  return { session, messages };
}
