import type { Session } from './session-model.js';

/**
 * Whether a session is gone at time `at`: its `expiresAt` is at or before it. Without a time,
 * expiry is not judged. The one rule every engine and tool applies, so a session is never live
 * on one backend and gone on another at the same instant.
 */
export function isExpiredAt(session: Pick<Session, 'expiresAt'>, at: Date | number | undefined): boolean {
  if (at === undefined || session.expiresAt === null) return false;
  return session.expiresAt.getTime() <= (typeof at === 'number' ? at : at.getTime());
}
