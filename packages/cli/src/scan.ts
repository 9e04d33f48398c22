import { and, asc, eq, gt, inArray, or, type Engine, type Filter, type Message, type Session, type SessionKey } from '@sessions/core';
import { setImmediate } from 'node:timers/promises';
import { InterruptedError } from './errors.js';

/** Sessions come in key order so paging is a keyset seek, never an OFFSET that rescans. */
export const KEY_ORDER = Object.freeze([asc('userId'), asc('sessionId')]);

/** Sessions strictly after `key` in (userId, sessionId) order. */
export function afterKey(key: SessionKey): Filter {
  return or(gt('userId', key.userId), and(eq('userId', key.userId), gt('sessionId', key.sessionId)));
}

/** Exactly the sessions with these keys (grouped per user so the filter stays small). */
export function keyIn(keys: readonly SessionKey[]): Filter {
  const byUser = new Map<string, string[]>();
  for (const key of keys) {
    const ids = byUser.get(key.userId) ?? [];
    ids.push(key.sessionId);
    byUser.set(key.userId, ids);
  }
  return or(...[...byUser].map(([userId, sessionIds]) => and(eq('userId', userId), inArray('sessionId', sessionIds))));
}

export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError();
}

/**
 * Lets the event loop run, then checks for Ctrl-C. Needed between pages: a synchronous
 * driver (better-sqlite3) resolves every await as a microtask, so without this a whole
 * migration would run without the loop ever delivering a signal or a timer.
 */
export async function pauseForSignals(signal: AbortSignal | undefined): Promise<void> {
  await setImmediate();
  throwIfInterrupted(signal);
}

export interface ScanOptions {
  where?: Filter | undefined;
  pageSize: number;
  /** Resume after this key (exclusive). */
  after?: SessionKey | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Every session matching `where`, one page at a time, in (userId, sessionId) order. Memory
 * stays at one page however large the store is; sessions added behind the cursor while it
 * runs are not visited, those ahead of it are.
 */
export async function* scanSessions(engine: Engine, options: ScanOptions): AsyncGenerator<Session[]> {
  let after = options.after;
  for (;;) {
    await pauseForSignals(options.signal);
    const filters: Filter[] = [];
    if (options.where) filters.push(options.where);
    if (after) filters.push(afterKey(after));
    const page = await engine.findMany('sessions', { where: and(...filters), orderBy: KEY_ORDER, limit: options.pageSize });
    if (page.length === 0) return;
    yield page;
    if (page.length < options.pageSize) return;
    const last = page[page.length - 1]!;
    after = { userId: last.userId, sessionId: last.sessionId };
  }
}

export interface MessagePageOptions {
  /** Start after this seq. Default 0. */
  afterSeq?: number;
  /** Stop before this seq (exclusive), e.g. `session.lastSeq + 1` for a snapshot. */
  beforeSeq?: number;
  batchSize: number;
  signal?: AbortSignal | undefined;
}

/** A session's messages in seq order, `batchSize` at a time. */
export async function* scanMessages(engine: Engine, key: SessionKey, options: MessagePageOptions): AsyncGenerator<Message[]> {
  let afterSeq = options.afterSeq ?? 0;
  for (;;) {
    await pauseForSignals(options.signal);
    const range: { afterSeq: number; limit: number; beforeSeq?: number } = { afterSeq, limit: options.batchSize };
    if (options.beforeSeq !== undefined) range.beforeSeq = options.beforeSeq;
    const batch = await engine.readMessages(key, range);
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < options.batchSize) return;
    afterSeq = batch[batch.length - 1]!.seq;
  }
}

export function pickKey(key: SessionKey): SessionKey {
  return { userId: key.userId, sessionId: key.sessionId };
}
