import type { IncomingMessage } from 'node:http';
import { assertId, ValidationError } from '@sessions/core';
import { HttpError } from './http/http-error.js';

/**
 * The person using the page. This sample has no passwords: the page sends the chosen name
 * in a header. Every store call is keyed by it, so one user can never reach another's
 * sessions, whatever session id they put in the URL.
 */
export function userFrom(request: IncomingMessage): string {
  const raw = request.headers['x-chat-user'];
  const name = typeof raw === 'string' ? decodeHeader(raw).trim() : '';
  if (!name) throw new HttpError(401, 'NO_USER', 'Pick a user name first.');
  try {
    assertId(name, 'user');
  } catch (error) {
    if (error instanceof ValidationError) throw new HttpError(400, 'BAD_USER', 'That user name cannot be used: use 1 to 64 visible characters.');
    throw error;
  }
  if (name.length > 64) throw new HttpError(400, 'BAD_USER', 'That user name cannot be used: use 1 to 64 visible characters.');
  return name;
}

/** The page sends the name percent-encoded, since headers carry only ASCII. */
function decodeHeader(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'BAD_USER', 'The x-chat-user header is not valid percent-encoding: send the user name through encodeURIComponent.');
  }
}
