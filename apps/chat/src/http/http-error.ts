import { SessionsError } from '@sessions/core';

/** An error with the HTTP status and the message the page shows to the person. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION: 400,
  SESSION_NOT_FOUND: 404,
  SESSION_EXISTS: 409,
  MESSAGE_EXISTS: 409,
  LOCK_HELD: 409,
  LOCK_EXPIRED: 409,
  CONCURRENT_UPDATE: 409,
};

/** Maps any thrown value to what the client receives; unknown errors never leak details. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof SessionsError) {
    const status = STATUS_BY_CODE[error.code] ?? 503;
    const message =
      error.code === 'SESSION_NOT_FOUND'
        ? 'That conversation does not exist for this user.'
        : error.code === 'LOCK_HELD'
          ? 'This conversation is busy: another tab is getting a reply. Wait a moment and try again.'
          : error.code === 'STORAGE'
            ? 'The session store is not reachable right now. Try again shortly.'
            : error.message.replace(/^\[sessions\]\s*/, '');
    return new HttpError(status, error.code, message);
  }
  return new HttpError(500, 'INTERNAL', 'Something went wrong on the server.');
}
