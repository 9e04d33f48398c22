import type { Message, Session } from '@sessions/core';
import { decodeSession, encodeMessageBody, encodeSession, withSeq } from '../codec.js';
import type { ResolvedOptions } from '../options.js';
import { runScript } from '../scripts/commands.js';
import { expectOk, type ScriptReply } from '../script-reply.js';
import type { Store } from '../store.js';

/**
 * Creates a session with its first messages in one script (all or nothing), under the
 * user's hash tag. The user joins the global user set (another slot) BEFORE the script, so
 * a session is never invisible to queries across users even if this process dies right
 * after; if the script reports that the user's registration marker was missing (a
 * concurrent `deleteExpired` was forgetting the user), the user is added again after it.
 */
export async function createSession(store: Store, options: ResolvedOptions, input: Session, messages: readonly Message[]): Promise<Session> {
  const session: Session =
    input.expiresAt === null && options.defaultTtlMs !== undefined ? { ...input, expiresAt: new Date(input.createdAt.getTime() + options.defaultTtlMs) } : input;
  const pairs = encodeSession(session);
  const args: Array<string | number> = [
    session.sessionId,
    String(session.updatedAt.getTime()),
    String(session.createdAt.getTime()),
    session.expiresAt === null ? '' : String(session.expiresAt.getTime()),
    options.expiryGraceMs,
    pairs.length,
    ...pairs.flat(),
    messages.length,
  ];
  for (const message of messages) args.push(message.id, String(message.seq), withSeq(encodeMessageBody(message), message.seq));
  await store.client.sadd(store.keys.users, session.userId);
  const [unregistered] = expectOk(session, await runScript<ScriptReply>(store.client, 'sessionsV1Create', store.keys.scriptKeys(session), args));
  if (unregistered === 1) await store.client.sadd(store.keys.users, session.userId);
  return decodeSession(Object.fromEntries(pairs))!;
}
