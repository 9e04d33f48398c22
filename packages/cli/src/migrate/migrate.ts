import { and, isNotNull, lte, type Engine, type Filter } from '@sessions/core';
import { forEachConcurrently } from '../pool.js';
import { combine, notExpired } from '../selection.js';
import { keyIn, scanSessions } from '../scan.js';
import { copySession } from './copy-session.js';
import { keyString, verifyCopy, type Mismatch, type Verification } from './verify.js';

export interface MigrateOptions {
  /** Only sessions matching this filter. */
  where?: Filter | undefined;
  /** Classify and count, write nothing. */
  dryRun?: boolean;
  /**
   * Also copy sessions whose TTL has passed but that were not deleted yet. Default false:
   * they are gone as far as SessionManager is concerned, and a store with native TTL (Redis)
   * would drop them on arrival.
   */
  includeExpired?: boolean;
  /** The instant that decides what has expired. Default: when the migration starts. */
  now?: Date;
  /** Messages per read and write; sessions up to this size are copied in one atomic write. Default 500. */
  batchSize?: number;
  /** Sessions listed per page. Default 100. */
  pageSize?: number;
  /** Sessions copied at the same time. Default 4. */
  concurrency?: number;
  /** Check the target against the source at the end. Default true (never in a dry run). */
  verify?: boolean;
  signal?: AbortSignal | undefined;
  onProgress?(progress: MigrateProgress): void;
  onNotice?(line: string): void;
}

export interface MigrateProgress {
  phase: 'copy' | 'verify';
  sessions: number;
  messages: number;
}

export interface MigrateSummary {
  dryRun: boolean;
  sessions: {
    /** Matching sessions seen in the source. */
    scanned: number;
    /** Written to the target in this run. */
    copied: number;
    /** Partial copies from an interrupted run, completed. */
    resumed: number;
    /** Already complete in the target. */
    skipped: number;
    /** Left alone: the target holds a different session under the same key. */
    conflicts: number;
    /** Deleted from the source while the migration ran. */
    vanished: number;
    /** Matching but expired (TTL passed, not yet deleted), so not copied; 0 with `includeExpired`. */
    expired: number;
  };
  /** Messages written to the target in this run (would be, in a dry run). */
  messages: { copied: number };
  /** Up to 100. */
  conflicts: Mismatch[];
  /** Null in a dry run or with `verify: false`. */
  verification: Verification | null;
}

const MAX_LISTED = 100;

/**
 * Copies every session matching `where`, with its messages, from `source` to `target`, in
 * (userId, sessionId) order, a page of sessions and a batch of messages at a time: memory
 * stays flat whatever the size of the store. Resumable: rerunning after an interruption
 * skips sessions that arrived completely, completes partial ones and never duplicates a
 * message (see `copySession`). Ends with a verification pass unless told otherwise.
 *
 * Leases are not copied: they describe work in flight on the source.
 *
 * @example
 * const summary = await migrateSessions(await open('sqlite:./a.db'), await open('postgres://...'))
 * if (!summary.verification?.ok) throw new Error('rerun the migration')
 */
export async function migrateSessions(source: Engine, target: Engine | null, options: MigrateOptions = {}): Promise<MigrateSummary> {
  const dryRun = options.dryRun ?? false;
  if (!target && !dryRun) throw new TypeError('migrateSessions needs a target engine unless dryRun is set');
  const batchSize = options.batchSize ?? 500;
  const pageSize = options.pageSize ?? 100;
  const concurrency = options.concurrency ?? 4;
  const summary: MigrateSummary = {
    dryRun,
    sessions: { scanned: 0, copied: 0, resumed: 0, skipped: 0, conflicts: 0, vanished: 0, expired: 0 },
    messages: { copied: 0 },
    conflicts: [],
    verification: null,
  };
  const now = options.now ?? new Date();
  const where = options.includeExpired ? options.where : combine(options.where, notExpired(now));
  if (!options.includeExpired) {
    const expired = combine(options.where, and(isNotNull('expiresAt'), lte('expiresAt', now)));
    summary.sessions.expired = await source.count('sessions', expired === undefined ? {} : { where: expired });
  }
  const conflictKeys = new Set<string>();
  let messagesWritten = 0;
  const report = (): void =>
    options.onProgress?.({ phase: 'copy', sessions: summary.sessions.scanned, messages: dryRun ? summary.messages.copied : messagesWritten });
  const context = {
    source,
    target,
    dryRun,
    batchSize,
    signal: options.signal,
    onMessages(count: number) {
      messagesWritten += count;
      report();
    },
    onNotice: options.onNotice,
  };

  for await (const page of scanSessions(source, { where, pageSize, signal: options.signal })) {
    // One query tells which sessions of the page the target already has.
    const inTarget = new Map(target ? (await target.findMany('sessions', { where: keyIn(page) })).map((session) => [keyString(session), session]) : []);
    await forEachConcurrently(page, concurrency, async (session) => {
      const outcome = await copySession(context, session, inTarget.get(keyString(session)) ?? null);
      summary.sessions.scanned++;
      switch (outcome.kind) {
        case 'copied':
        case 'resumed':
          summary.sessions[outcome.kind]++;
          summary.messages.copied += outcome.messages;
          break;
        case 'skipped':
        case 'vanished':
          summary.sessions[outcome.kind]++;
          break;
        case 'conflict':
          summary.sessions.conflicts++;
          conflictKeys.add(keyString(session));
          if (summary.conflicts.length < MAX_LISTED) summary.conflicts.push({ userId: session.userId, sessionId: session.sessionId, reason: outcome.reason });
          options.onNotice?.(`conflict: session ${JSON.stringify(session.sessionId)} of user ${JSON.stringify(session.userId)} ${outcome.reason}`);
          break;
      }
      report();
    });
  }

  if (!dryRun && target && (options.verify ?? true)) {
    summary.verification = await verifyCopy(source, target, {
      where,
      pageSize,
      ignore: conflictKeys,
      signal: options.signal,
      onPage: (checked) => options.onProgress?.({ phase: 'verify', sessions: checked, messages: 0 }),
    });
  }
  return summary;
}
