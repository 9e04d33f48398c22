import { randomBytes } from 'node:crypto';
import type { Message, Session } from '@sessions/core';
import { decodeSession, encodeMessageBody, encodeSession, withSeq } from '../codec.js';
import type { StagingKeys } from '../keys.js';
import type { ResolvedOptions } from '../options.js';
import { runScript } from '../scripts/commands.js';
import { expectOk, type ScriptReply } from '../script-reply.js';
import type { Store } from '../store.js';
import { chunkMessages, type MessageTriple } from './chunk-messages.js';

/**
 * How long staged messages outlive a create that stopped sending them (its process died, its
 * connection dropped). Every chunk sets it again, so only a stalled create comes near it; the
 * commit then refuses, and the create fails without a trace.
 */
export const STAGING_TTL_MS = 600_000;

/**
 * Creates a session with its first messages (all or nothing) under the user's hash tag.
 *
 * A session whose messages fit in one command is created by one script. A larger one (a fork
 * or import of 100,000 messages would be one command of 300,000 arguments) is first staged in
 * chunks into keys of this call's own, then committed by one script that renames them into
 * place: no reader ever sees part of the messages, and a create that fails anywhere leaves
 * nothing (it deletes its staging keys, which also expire by themselves).
 *
 * The user joins the global user set (another slot) BEFORE the script, so a session is never
 * invisible to queries across users even if this process dies right after; if the script
 * reports that the user's registration marker was missing (a concurrent `deleteExpired` was
 * forgetting the user), the user is added again after it.
 */
export async function createSession(store: Store, options: ResolvedOptions, input: Session, messages: readonly Message[]): Promise<Session> {
  const session: Session =
    input.expiresAt === null && options.defaultTtlMs !== undefined
      ? { ...input, expiresAt: new Date(input.createdAt.getTime() + options.defaultTtlMs) }
      : input;
  const pairs = encodeSession(session);
  const chunks = chunkMessages(messages.map((message): MessageTriple => [message.id, String(message.seq), withSeq(encodeMessageBody(message), message.seq)]));
  const inline = chunks.length === 1 ? chunks[0]! : [];
  const staging = store.keys.staging(session, randomBytes(8).toString('hex'));
  const args: Array<string | number> = [
    session.sessionId,
    String(session.updatedAt.getTime()),
    String(session.createdAt.getTime()),
    session.expiresAt === null ? '' : String(session.expiresAt.getTime()),
    options.expiryGraceMs,
    pairs.length,
    ...pairs.flat(),
    inline.length,
  ];
  for (const triple of inline) args.push(...triple);
  if (chunks.length > 1) args.push(messages.length, new Set(messages.map((message) => message.id)).size);
  else args.push(0, 0);
  await store.client.sadd(store.keys.users, session.userId);
  let reply: ScriptReply;
  try {
    if (chunks.length > 1) await stage(store, staging, chunks);
    reply = await runScript<ScriptReply>(store.client, 'sessionsV1Create', [...store.keys.scriptKeys(session), staging.messages, staging.messageIds], args);
  } catch (error) {
    if (chunks.length > 1) await store.client.del(staging.messages, staging.messageIds).catch(() => undefined);
    throw error;
  }
  if (reply[0] === 'STAGING_LOST') {
    throw new Error(
      `the ${messages.length} messages staged for the new session were gone at the commit (their keys expired or were deleted); nothing was created: retry`,
    );
  }
  const [unregistered] = expectOk(session, reply);
  if (unregistered === 1) await store.client.sadd(store.keys.users, session.userId);
  return decodeSession(Object.fromEntries(pairs))!;
}

/**
 * Sends every chunk at once (one slot, one connection: they arrive in order without waiting
 * for each other's replies) and waits for all of them, so that nothing is still on its way
 * when a failure's cleanup deletes the staging keys.
 */
async function stage(store: Store, staging: StagingKeys, chunks: ReadonlyArray<readonly MessageTriple[]>): Promise<void> {
  const results = await Promise.allSettled(
    chunks.map((chunk) => runScript(store.client, 'sessionsV1Stage', [staging.messages, staging.messageIds], [STAGING_TTL_MS, ...chunk.flat()])),
  );
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
