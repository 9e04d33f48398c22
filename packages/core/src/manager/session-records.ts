import type { SessionChanges } from '../engine/engine.js';
import type { SessionKey } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { Session } from '../models/session-model.js';

/** A new, active session at `now` holding `messageCount` initial messages. */
export function newSession(
  key: SessionKey,
  input: { title?: string | null; metadata?: JsonObject; state?: JsonObject; ttlMs?: number | null },
  messageCount: number,
  now: Date,
): Session {
  return {
    userId: key.userId,
    sessionId: key.sessionId,
    title: input.title ?? null,
    metadata: input.metadata ?? {},
    state: input.state ?? {},
    status: 'active',
    createdAt: now,
    updatedAt: now,
    expiresAt: input.ttlMs ? new Date(now.getTime() + input.ttlMs) : null,
    parentSessionId: null,
    parentSeq: null,
    messageCount,
    lastSeq: messageCount,
    version: 0,
  };
}

/** A copy of `source` under `sessionId` holding its messages up to `upToSeq`, with lineage. */
export function forkedSession(source: Session, fork: { sessionId: string; upToSeq: number; title?: string | null }, messageCount: number, now: Date): Session {
  return {
    ...source,
    sessionId: fork.sessionId,
    title: fork.title === undefined ? source.title : fork.title,
    status: 'active',
    createdAt: now,
    updatedAt: now,
    parentSessionId: source.sessionId,
    parentSeq: fork.upToSeq,
    messageCount,
    lastSeq: fork.upToSeq,
    version: 0,
  };
}

/** What `update` changes: only the fields given, a TTL turned into an instant from `now`. */
export function updateChanges(input: { title?: string | null; metadata?: JsonObject; ttlMs?: number | null }, now: Date): SessionChanges {
  const changes: SessionChanges = { updatedAt: now };
  if (input.title !== undefined) changes.title = input.title;
  if (input.metadata !== undefined) changes.metadata = input.metadata;
  if (input.ttlMs !== undefined) changes.expiresAt = input.ttlMs === null ? null : new Date(now.getTime() + input.ttlMs);
  return changes;
}
