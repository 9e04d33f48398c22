import { ConcurrentUpdateError, type SessionKey } from '@sessions/core';
import { matchesFilter, type ResolvedFilter } from '@sessions/core/engine';
import { decodeMessage, decodeSession, encodeMessageBody, encodeSessionChanges, INTERNAL, withSeq } from '../codec.js';
import type { ResolvedOptions } from '../options.js';
import { matchingMessages } from '../query/message-query.js';
import { matchingSessions, type FetchedSession } from '../query/session-query.js';
import { runScript, type ScriptName } from '../scripts/commands.js';
import type { ScriptReply } from '../script-reply.js';
import { pipelineResults, type Store } from '../store.js';

/**
 * Generic `update` and `delete`. Matching records are found by reading (the filter runs in
 * JavaScript, exactly as in MemoryEngine), then each is written by a script that succeeds
 * only if the record is still the one that was read (the session's revision, or the
 * message's stored text). A record changed in between is read again and re-checked against
 * the filter, so a write never lands on a record that no longer matches.
 */

const BATCH = 200;
const MAX_ATTEMPTS = 50;

type Row = Record<string, unknown>;

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** A revision-checked session write: its script, its arguments for a revision, and whether a reply means it took effect. */
interface SessionWrite {
  readonly script: ScriptName;
  args(sessionId: string, rev: string): Array<string | number>;
  applied(reply: ScriptReply): boolean;
}

async function writeSessions(store: Store, where: ResolvedFilter, write: SessionWrite): Promise<number> {
  let count = 0;
  for await (const { userId, matches } of matchingSessions(store, where)) {
    for (const batch of chunks(matches, BATCH)) {
      const pipeline = store.client.pipeline();
      for (const { session, rev } of batch) runScript(pipeline, write.script, store.keys.scriptKeys(session), write.args(session.sessionId, rev));
      const replies = pipelineResults(await pipeline.exec()) as ScriptReply[];
      for (let i = 0; i < replies.length; i++) {
        const reply = replies[i]!;
        if (reply[0] === 'STALE') count += await retrySession(store, { userId, sessionId: batch[i]!.session.sessionId }, where, write);
        else if (write.applied(reply)) count++;
      }
    }
  }
  return count;
}

async function retrySession(store: Store, key: SessionKey, where: ResolvedFilter, write: SessionWrite): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const hash = await store.client.hgetall(store.keys.session(key).session);
    const fetched: FetchedSession | undefined = ((session) => (session ? { session, rev: hash[INTERNAL.rev] ?? '' } : undefined))(decodeSession(hash));
    if (!fetched || !matchesFilter(where, fetched.session as unknown as Row)) return 0;
    const reply = await runScript<ScriptReply>(store.client, write.script, store.keys.scriptKeys(key), write.args(key.sessionId, fetched.rev));
    if (reply[0] !== 'STALE') return write.applied(reply) ? 1 : 0;
  }
  throw new ConcurrentUpdateError(key);
}

/** Sets fields on every matching session and bumps its version; returns how many. */
export function updateSessions(store: Store, options: ResolvedOptions, where: ResolvedFilter, set: Readonly<Row>): Promise<number> {
  const { set: pairs, unset } = encodeSessionChanges(set);
  const updatedAt = set['updatedAt'] instanceof Date ? String(set['updatedAt'].getTime()) : '';
  const expiresAt = set['expiresAt'];
  const expiry = expiresAt === undefined ? ['keep', ''] : expiresAt === null ? ['none', ''] : ['set', String((expiresAt as Date).getTime())];
  return writeSessions(store, where, {
    script: 'sessionsV1Update',
    args: (sessionId, rev) => [
      sessionId,
      '0',
      '',
      '',
      '',
      '',
      rev,
      updatedAt,
      ...expiry,
      options.expiryGraceMs,
      '0',
      pairs.length,
      ...pairs.flat(),
      unset.length,
      ...unset,
    ],
    applied: (reply) => reply[0] === 'OK',
  });
}

/** Deletes every matching session with its messages; returns how many. */
export function deleteSessions(store: Store, where: ResolvedFilter): Promise<number> {
  return writeSessions(store, where, {
    script: 'sessionsV1Delete',
    args: (sessionId, rev) => [sessionId, '0', '', '', rev, '', ''],
    applied: (reply) => reply[0] === 'OK' && reply[1] === 1,
  });
}

/** Sets fields (metadata) on every matching message; returns how many. */
export async function updateMessages(store: Store, where: ResolvedFilter, set: Readonly<Row>): Promise<number> {
  let count = 0;
  const replacement = (message: Row) => withSeq(encodeMessageBody({ ...message, ...set } as never), message['seq'] as number);
  for await (const { userId, matches } of matchingMessages(store, where)) {
    for (const batch of chunks(matches, BATCH)) {
      const pipeline = store.client.pipeline();
      for (const { message, member } of batch) {
        runScript(pipeline, 'sessionsV1ReplaceMessage', store.keys.scriptKeys(message), [message.seq, member, replacement(message as unknown as Row)]);
      }
      const replies = pipelineResults(await pipeline.exec()) as string[];
      for (let i = 0; i < replies.length; i++) {
        if (replies[i] === 'OK') count++;
        else count += await retryMessage(store, { userId, sessionId: batch[i]!.message.sessionId }, batch[i]!.message.seq, where, replacement);
      }
    }
  }
  return count;
}

async function retryMessage(store: Store, key: SessionKey, seq: number, where: ResolvedFilter, replacement: (message: Row) => string): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [member] = await store.client.zrange(store.keys.session(key).messages, seq, seq, 'BYSCORE');
    if (member === undefined) return 0;
    const message = decodeMessage(key, member) as unknown as Row;
    if (!matchesFilter(where, message)) return 0;
    const reply = await runScript<string>(store.client, 'sessionsV1ReplaceMessage', store.keys.scriptKeys(key), [seq, member, replacement(message)]);
    if (reply === 'OK') return 1;
  }
  throw new ConcurrentUpdateError(key);
}
