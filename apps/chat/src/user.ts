import type { IncomingMessage } from 'node:http';
import { ValidationError, type SessionKey } from '@sessions/core';
import { assertId } from '@sessions/core/engine';
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

/**
 * The session the address names, for the user the page sends. An id no store could hold (a
 * control character, 300 characters) came from a broken or hand-edited link: say that, in
 * words a person can act on, rather than the store's validation path.
 */
export function sessionKey(request: IncomingMessage, params: Readonly<Record<string, string>>): SessionKey {
  const userId = userFrom(request);
  const sessionId = params['id']!;
  try {
    assertId(sessionId, 'sessionId');
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new HttpError(
        400,
        'BAD_SESSION_ID',
        'That address does not name a conversation: a conversation id is 1 to 255 visible characters. Pick one from the list.',
      );
    }
    throw error;
  }
  return { userId, sessionId };
}
