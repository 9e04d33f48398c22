import { sleep } from '../abort.js';
import type { Engine } from '../engine/engine.js';
import { ConcurrentUpdateError, SessionExistsError, type SessionKey } from '../errors.js';
import { and, eq, lte } from '../filter/builders.js';
import { isExpiredAt } from '../models/expiry.js';
import type { Message } from '../models/message-model.js';
import type { Session } from '../models/session-model.js';

/** Bounds each optimistic loop (create over an expired leftover, getOrCreate, setState). */
const MAX_OPTIMISTIC_RETRIES = 50;

/**
 * Creates the session; an expired leftover under the same key is gone as far as callers can
 * tell, so it is replaced. It is deleted only while it is still expired, so a session another
 * caller has just re-created is never deleted.
 */
export async function createReplacingExpired(engine: Engine, session: Session, messages: readonly Message[], now: () => Date): Promise<Session> {
  const key = { userId: session.userId, sessionId: session.sessionId };
  for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
    try {
      return await engine.createSession(session, messages);
    } catch (error) {
      if (!(error instanceof SessionExistsError)) throw error;
      const stored = await engine.getSession(key);
      if (stored && !isExpiredAt(stored, now().getTime())) throw error;
      if (stored) await deleteIfExpired(engine, key, now());
    }
  }
  throw new ConcurrentUpdateError(key);
}

/**
 * The live session under `key`, or the one `create` makes when there is none. Safe when called
 * concurrently: a create that loses the race returns the winner's session.
 */
export async function getOrCreateSession(engine: Engine, key: SessionKey, create: () => Promise<Session>, now: () => Date): Promise<Session> {
  for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
    const stored = await engine.getSession(key);
    if (stored && !isExpiredAt(stored, now().getTime())) return stored;
    // An expired leftover is gone as far as callers can tell: replace it (see createReplacingExpired).
    if (stored) await deleteIfExpired(engine, key, now());
    try {
      return await create();
    } catch (error) {
      if (!(error instanceof SessionExistsError)) throw error;
    }
  }
  throw new ConcurrentUpdateError(key);
}

async function deleteIfExpired(engine: Engine, key: SessionKey, now: Date): Promise<void> {
  await engine.delete('sessions', { where: and(eq('userId', key.userId), eq('sessionId', key.sessionId), lte('expiresAt', now)) });
}

/**
 * Runs a read-modify-write until it is not overtaken by another writer (`ConcurrentUpdateError`
 * from its `expectedVersion`), backing off with jitter so concurrent writers spread out.
 */
export async function retryConcurrentUpdates<T>(key: SessionKey, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; i < MAX_OPTIMISTIC_RETRIES; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
    await sleep(Math.random() * Math.min(50, 2 ** i));
  }
  throw new ConcurrentUpdateError(key);
}
