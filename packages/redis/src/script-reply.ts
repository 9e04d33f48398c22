import { ConcurrentUpdateError, LockExpiredError, MessageExistsError, SessionExistsError, SessionNotFoundError, type SessionKey } from '@sessions/core';

/** A session script's reply: a status word, then its payload. */
export type ScriptReply = [string, ...unknown[]];

/** Turns a script's refusal into the contract's error; returns the payload of an 'OK'. */
export function expectOk(key: SessionKey, reply: ScriptReply): unknown[] {
  const [status, ...payload] = reply;
  switch (status) {
    case 'OK':
      return payload;
    case 'LOCK_EXPIRED':
      return throwError(new LockExpiredError(key));
    case 'NOT_FOUND':
      return throwError(new SessionNotFoundError(key));
    case 'EXISTS':
      return throwError(new SessionExistsError(key));
    case 'MESSAGE_EXISTS':
      return throwError(new MessageExistsError(key, String(payload[0])));
    case 'CONFLICT':
      return throwError(new ConcurrentUpdateError(key));
    default:
      throw new Error(`unexpected script reply ${JSON.stringify(status)}`);
  }
}

function throwError(error: Error): never {
  throw error;
}

/** ARGV[5] of append, update, clear and truncate, ARGV[1] of the read: the caller's time the session must still be live at, or ''. */
export function liveAtArg(liveAt: Date | undefined): string {
  return liveAt === undefined ? '' : String(liveAt.getTime());
}

/** ARGV[2..4] of a fenced script. */
export function fenceArgs(lease: { owner: string; token: number } | undefined): [string, string, string] {
  return lease ? ['1', lease.owner, String(lease.token)] : ['0', '', ''];
}
