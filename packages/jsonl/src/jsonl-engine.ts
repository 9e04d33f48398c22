import { randomBytes } from 'node:crypto';
import { access, readdir, rm } from 'node:fs/promises';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import {
  ConcurrentUpdateError,
  EngineClosedError,
  LockExpiredError,
  SessionExistsError,
  SessionNotFoundError,
  type Lease,
  type LeaseRef,
  type Message,
  type Session,
  type SessionKey,
} from '@sessions/core';
import {
  BaseEngine,
  compareByOrder,
  isExpiredAt,
  matchesFilter,
  type AcquireLeaseInput,
  type ClearMessagesOptions,
  type FencedWriteOptions,
  type LeaseGrant,
  type LeaseInfo,
  type ListLeasesQuery,
  type MessageRange,
  type ModelDefinition,
  type NewMessage,
  type ResolvedFilter,
  type ResolvedQuery,
  type SessionChanges,
  type SessionWriteOptions,
  type TruncateMessagesOptions,
  type UpdateSessionOptions,
} from '@sessions/core/engine';
import { CorruptFileError, LockLostError } from './errors.js';
import type { Fence } from './fence.js';
import { ensureFormat, readFormatVersion } from './format.js';
import { FileLocks, isAbandonedPreparedLock } from './file-lock.js';
import { isNotFound } from './fs-utils.js';
import { keyHints } from './key-hints.js';
import { Layout, type SessionPaths } from './layout.js';
import { LeaseFiles } from './lease-files.js';
import { listLeases } from './lease-scan.js';
import { viewOf } from './log-view.js';
import { LOG_CHANGED, MessageLog } from './message-log.js';
import { resolveOptions, type JsonlEngineOptions, type ResolvedOptions } from './options.js';
import type { StoredSession } from './records.js';
import { SessionFiles } from './session-files.js';
import { scanSessions, type ScannedSession } from './session-scan.js';

type Row = Readonly<Record<string, unknown>>;

/** A reader retries this often when the messages file is replaced under it (clear, delete, rewrite) before giving up. */
const READ_ATTEMPTS = 5;

/**
 * Sessions as human-readable files: a folder per user, a pretty-printed JSON file per
 * session, its messages as JSON Lines (one message per line, appended), and a lease file.
 * Several processes may share the folder: every write to a session holds that session's
 * lock file, and reads need no lock.
 *
 * - Appending writes the new lines in one write, fsyncs, then replaces the session file
 *   (temp file, fsync, rename, fsync of the folder); that replacement is the commit. Lines
 *   past the session's `lastSeq` (a crash in between, or a line torn by `kill -9`) are
 *   ignored by readers and cut off by the next writer, so a batch is all or nothing and no
 *   committed line is ever lost.
 * - A lock is never taken from a live process on this host, and every change a holder makes
 *   goes through its lock's fence, so a holder overtaken anyway (another host, no `/proc`)
 *   commits nothing and gets an error (`LockExpiredError` under a lease).
 * - Leases use this machine's clock (`Date.now`, or `clock`).
 * - Filters and ordering are evaluated with core's reference semantics on the records read.
 *
 * @example
 * const engine = new JsonlEngine({ dir: './data' })
 * await engine.setup()
 * const sessions = new SessionManager({ engine })
 * const chat = await sessions.create({ userId: 'alice' })
 * await sessions.append(chat, { role: 'user', content: 'hello' })
 * // $ cat data/users/alice/<session id>.messages.jsonl
 */
export class JsonlEngine extends BaseEngine {
  /** The absolute folder of the store. */
  readonly dir: string;
  readonly #options: ResolvedOptions;
  readonly #layout: Layout;
  readonly #locks: FileLocks;
  readonly #log: MessageLog;
  readonly #sessions: SessionFiles;
  readonly #leases: LeaseFiles;
  readonly #closing = new AbortController();
  readonly #inflight = new Set<Promise<unknown>>();

  constructor(options: JsonlEngineOptions) {
    super('jsonl', { persistent: true, crossProcess: true, nativeTtl: false });
    this.#options = resolveOptions(options);
    this.dir = this.#options.dir;
    this.#layout = new Layout(this.dir);
    this.#locks = new FileLocks({ staleMs: this.#options.lockStaleMs, timeoutMs: this.#options.lockTimeoutMs });
    this.#log = new MessageLog({ fsync: this.#options.fsync, cacheSize: this.#options.indexCacheSize });
    this.#sessions = new SessionFiles({ fsync: this.#options.fsync });
    this.#leases = new LeaseFiles({ fsync: this.#options.fsync, clock: this.#options.clock });
    // Every operation waiting for a lock file listens to it; there can be many.
    setMaxListeners(0, this.#closing.signal);
  }

  protected async doSetup(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    await ensureFormat(this.#layout, { fsync: this.#options.fsync });
  }

  protected doStoredSchemaVersion(signal: AbortSignal | undefined): Promise<number | null> {
    signal?.throwIfAborted();
    return this.#track(() => readFormatVersion(this.#layout));
  }

  protected async doClose(): Promise<void> {
    // Waiters for lock files give up; operations already writing finish and release theirs.
    this.#closing.abort(new EngineClosedError(this.name));
    await Promise.allSettled([...this.#inflight]);
    this.#log.clear();
  }

  protected doFindMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
    return this.#track(async () => {
      const rows = (await this.#rows(model, query.where)).filter((row) => matchesFilter(query.where, row));
      rows.sort(compareByOrder(query.orderBy));
      const start = query.offset ?? 0;
      return rows.slice(start, query.limit === undefined ? undefined : start + query.limit) as unknown as Array<Session | Message>;
    });
  }

  protected doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    return this.#track(async () => (await this.#rows(model, where)).filter((row) => matchesFilter(where, row)).length);
  }

  protected doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    return this.#track(async () => {
      let count = 0;
      for (const { paths, stored } of await this.#scan(where)) {
        if (model.name === 'sessions') {
          if (!matchesFilter(where, stored.session as unknown as Row)) continue;
          count += await this.#locked(paths, async (fence) => {
            const current = await this.#sessions.read(paths, stored.session);
            if (!current || !matchesFilter(where, current.session as unknown as Row)) return 0;
            await this.#sessions.write(paths, { session: { ...current.session, ...set, version: current.session.version + 1 }, log: current.log }, fence);
            return 1;
          });
        } else {
          const messages = await this.#readMessages(paths, stored.session, {});
          if (!messages.some((message) => matchesFilter(where, message as unknown as Row))) continue;
          count += await this.#locked(paths, (fence) => this.#updateMessages(paths, stored.session, where, set, fence));
        }
      }
      return count;
    });
  }

  protected doDeleteSessions(where: ResolvedFilter): Promise<number> {
    return this.#track(() => this.#deleteWhere(where, (session) => matchesFilter(where, session as unknown as Row)));
  }

  protected doGetSession(key: SessionKey): Promise<Session | null> {
    return this.#track(async () => (await this.#sessions.read(this.#layout.session(key), key))?.session ?? null);
  }

  protected doCreateSession(session: Session, messages: readonly Message[]): Promise<Session> {
    return this.#track(() => {
      const paths = this.#layout.session(session);
      return this.#locked(paths, async (fence) => {
        if (await exists(paths.session)) throw new SessionExistsError(session);
        const logId = newLogId();
        // Replaces whatever a deleted or half-created predecessor left; the session file below commits it.
        await this.#log.replace(paths.messages, logId, messages, fence);
        return this.#sessions.write(paths, { session, log: { id: logId, clearedThroughSeq: 0 } }, fence);
      });
    });
  }

  protected doUpdateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
    return this.#track(() => {
      const paths = this.#layout.session(key);
      return this.#locked(paths, async (fence) => {
        const stored = await this.#writable(paths, key, options);
        if (options.expectedVersion !== undefined && stored.session.version !== options.expectedVersion) throw new ConcurrentUpdateError(key);
        const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
        return this.#sessions.write(paths, { session: { ...stored.session, ...defined, version: stored.session.version + 1 }, log: stored.log }, fence);
      }, { key, lease: options.lease });
    });
  }

  protected doAppendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
    return this.#track(() => {
      const paths = this.#layout.session(key);
      return this.#locked(paths, async (fence) => {
        const stored = await this.#writable(paths, key, options);
        return this.#log.append(paths.messages, key, viewOf(stored), messages, fence, async (appended) => {
          const session = stored.session;
          const updatedAt = Math.max(session.updatedAt.getTime(), ...appended.map((message) => message.createdAt.getTime()));
          await this.#sessions.write(paths, {
            session: { ...session, lastSeq: session.lastSeq + appended.length, messageCount: session.messageCount + appended.length, updatedAt: new Date(updatedAt) },
            log: stored.log,
          }, fence);
        });
      }, { key, lease: options.lease });
    });
  }

  protected doReadMessages(key: SessionKey, range: MessageRange): Promise<Message[]> {
    return this.#track(() => this.#readMessages(this.#layout.session(key), key, range));
  }

  protected doClearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    return this.#track(() => {
      const paths = this.#layout.session(key);
      return this.#locked(paths, async (fence) => {
        const stored = await this.#writable(paths, key, options);
        // Committed first: should the file outlive a crash, its lines are at or below clearedThroughSeq and count for nothing.
        await this.#sessions.write(paths, {
          session: { ...stored.session, messageCount: 0, updatedAt: new Date(options.updatedAt.getTime()) },
          log: { id: newLogId(), clearedThroughSeq: stored.session.lastSeq },
        }, fence);
        await afterCommit(this.#log.remove(paths.messages, fence));
        return stored.session.messageCount;
      }, { key, lease: options.lease });
    });
  }

  protected doTruncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    return this.#track(() => {
      const paths = this.#layout.session(key);
      return this.#locked(paths, async (fence) => {
        const stored = await this.#writable(paths, key, options);
        const session = { ...stored.session, updatedAt: new Date(options.updatedAt.getTime()) };
        if (stored.session.lastSeq <= options.afterSeq) {
          await this.#sessions.write(paths, { session, log: stored.log }, fence);
          return 0;
        }
        const messages = await this.#log.readAllLocked(paths.messages, key, viewOf(stored));
        const kept = messages.filter((message) => message.seq <= options.afterSeq);
        const removed = messages.length - kept.length;
        if (removed === 0) {
          await this.#sessions.write(paths, { session, log: stored.log }, fence);
          return 0;
        }
        // The session file commits, with a new log id; the old file (all lines) stays in place
        // until the rename, and a crash may keep it there. Readers count lines from the start,
        // so they stop before the deleted ones; `truncated` tells those reading from the end
        // (and the deleted seqs are never reused, so it can stay). Then the kept lines replace
        // the file: the deleted ones are gone from the disk, not only hidden.
        const logId = newLogId();
        const afterSeq = kept.at(-1)?.seq ?? stored.log.clearedThroughSeq;
        await this.#sessions.write(paths, {
          session: { ...session, messageCount: stored.session.messageCount - removed },
          log: { id: logId, clearedThroughSeq: stored.log.clearedThroughSeq, truncated: { afterSeq, throughSeq: stored.session.lastSeq } },
        }, fence);
        await afterCommit(this.#log.replace(paths.messages, logId, kept, fence));
        return removed;
      }, { key, lease: options.lease });
    });
  }

  protected doDeleteSession(key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
    return this.#track(() => {
      const paths = this.#layout.session(key);
      return this.#locked(paths, async (fence) => {
        await this.#leases.check(paths, key, options.lease);
        return this.#delete(paths, fence);
      }, { key, lease: options.lease });
    });
  }

  protected doDeleteExpired(now: Date): Promise<number> {
    return this.#track(() => this.#deleteWhere({ kind: 'constant', value: true }, (session) => isExpiredAt(session, now)));
  }

  protected doAcquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    const paths = this.#layout.session(key);
    return this.#track(() => this.#locked(paths, (fence) => this.#leases.acquire(paths, key, input, fence)));
  }

  protected doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    const paths = this.#layout.session(lease);
    return this.#track(() => this.#locked(paths, (fence) => this.#leases.renew(paths, lease, ttlMs, fence)));
  }

  protected doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    const paths = this.#layout.session(key);
    return this.#track(() => this.#locked(paths, (fence) => this.#leases.release(paths, key, lease, fence)));
  }

  /** Reads the lease files without taking their sessions' locks; each file is replaced whole, never written in place. */
  protected doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    return this.#track(() => listLeases(this.#layout, query, this.#options.clock));
  }

  /** Runs an operation so that `close()` can wait for it to finish and release its lock files. */
  #track<T>(operation: () => Promise<T>): Promise<T> {
    const promise = operation();
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#inflight.add(settled);
    void settled.then(() => this.#inflight.delete(settled));
    return promise;
  }

  /**
   * Runs `body` holding the session's lock; its changes go through the lock's fence. A write
   * whose lock was taken over before it committed fails: with `LockExpiredError` when it was
   * fenced by a lease (the lease cannot be trusted either), else with `LockLostError`.
   */
  #locked<T>(paths: SessionPaths, body: (fence: Fence) => Promise<T>, write?: { key: SessionKey; lease: LeaseRef | undefined }): Promise<T> {
    return this.#locks.run(paths.lock, this.#closing.signal, async ({ brokeStale, fence }) => {
      // Temporary files are only made under this lock: any still here are from the crashed holder.
      if (brokeStale) await this.#removeLeftovers(paths);
      try {
        return await body(fence);
      } catch (error) {
        if (write?.lease && error instanceof LockLostError) {
          throw new LockExpiredError(write.key, 'this process stalled and its lock on the session was taken over before the write committed');
        }
        throw error;
      }
    });
  }

  /**
   * The session a write goes to, under its lock: the lease still held (else `LockExpiredError`,
   * which wins over a missing session, as in MemoryEngine), the session there and, when
   * `liveAt` is given, not expired by then (else `SessionNotFoundError`).
   */
  async #writable(paths: SessionPaths, key: SessionKey, options: SessionWriteOptions): Promise<StoredSession> {
    // Both reads at once.
    const [fence, existing] = await Promise.allSettled([this.#leases.check(paths, key, options.lease), this.#existing(paths, key)]);
    if (fence.status === 'rejected') throw fence.reason;
    if (existing.status === 'rejected') throw existing.reason;
    const stored = existing.value;
    if (isExpiredAt(stored.session, options.liveAt)) throw new SessionNotFoundError(key);
    return stored;
  }

  async #existing(paths: SessionPaths, key: SessionKey): Promise<StoredSession> {
    const stored = await this.#sessions.read(paths, key);
    if (!stored) throw new SessionNotFoundError(key);
    return stored;
  }

  /**
   * Reads without a lock; when a clear, delete or rewrite replaces the file under it, reads the session file again and retries.
   * Expiry (`range.liveAt`) is judged on the very session file whose view of the log is read, so the answer is one
   * committed state, and an expired session costs that one small read: its messages file is not opened.
   */
  async #readMessages(paths: SessionPaths, key: SessionKey, range: MessageRange): Promise<Message[]> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#sessions.read(paths, key);
      if (!stored || isExpiredAt(stored.session, range.liveAt)) return [];
      const messages = await this.#log.read(paths.messages, key, viewOf(stored), range);
      if (messages !== LOG_CHANGED) return messages;
      const again = await this.#sessions.read(paths, key);
      if (!again) return [];
      if (again.log.id === stored.log.id) {
        throw new CorruptFileError(paths.messages, `is missing or holds fewer than the ${stored.session.messageCount} committed messages its session file records`);
      }
      if (attempt >= READ_ATTEMPTS) throw new Error(`the messages of ${paths.session} were replaced ${attempt} times while being read; try again`);
    }
  }

  async #updateMessages(paths: SessionPaths, key: SessionKey, where: ResolvedFilter, set: Readonly<Record<string, unknown>>, fence: Fence): Promise<number> {
    const stored = await this.#sessions.read(paths, key);
    if (!stored) return 0;
    const messages = await this.#log.readAllLocked(paths.messages, key, viewOf(stored));
    let count = 0;
    const updated = messages.map((message) => {
      if (!matchesFilter(where, message as unknown as Row)) return message;
      count++;
      return { ...message, ...set };
    });
    if (count === 0) return 0;
    // The new log id goes first: a reader that pairs it with the old file only misses the cache.
    const logId = newLogId();
    await this.#sessions.write(paths, { session: stored.session, log: { ...stored.log, id: logId } }, fence);
    // The rewritten file is this change itself, not a clean-up: losing the lock here fails it.
    await this.#log.replace(paths.messages, logId, updated, fence);
    return count;
  }

  async #deleteWhere(where: ResolvedFilter, matches: (session: Session) => boolean): Promise<number> {
    let count = 0;
    for (const { paths, stored } of await this.#scan(where)) {
      if (!matches(stored.session)) continue;
      const deleted = await this.#locked(paths, async (fence) => {
        const current = await this.#sessions.read(paths, stored.session);
        return current !== null && matches(current.session) && (await this.#delete(paths, fence));
      });
      if (deleted) count++;
    }
    return count;
  }

  /** Under the session's lock. The lease file stays so tokens keep growing if the id is used again. */
  async #delete(paths: SessionPaths, fence: Fence): Promise<boolean> {
    const deleted = await this.#sessions.remove(paths, fence);
    await afterCommit(this.#log.remove(paths.messages, fence));
    return deleted;
  }

  #scan(where: ResolvedFilter): Promise<ScannedSession[]> {
    return scanSessions(this.#layout, this.#sessions, keyHints(where));
  }

  async #rows(model: ModelDefinition, where: ResolvedFilter): Promise<Row[]> {
    const scanned = await this.#scan(where);
    if (model.name === 'sessions') return scanned.map(({ stored }) => stored.session as unknown as Row);
    const rows: Row[] = [];
    for (const { paths, stored } of scanned) {
      if (stored.session.messageCount === 0) continue;
      for (const message of await this.#readMessages(paths, stored.session, {})) rows.push(message as unknown as Row);
    }
    return rows;
  }

  /**
   * After breaking an abandoned lock: what its holder left (locks moved aside, temporary files
   * of the earlier format), and locks that waiters prepared but never took because they died
   * waiting (older than `lockStaleMs`; a live waiter rewrites its owner record every try).
   */
  async #removeLeftovers(paths: SessionPaths): Promise<void> {
    const prefix = `${paths.name}.`;
    let names: string[];
    try {
      names = await readdir(paths.userDir);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const path = join(paths.userDir, name);
      if (name.endsWith('.tmp') || name.endsWith('.stale') || (await isAbandonedPreparedLock(path, this.#options.lockStaleMs).catch(() => false))) {
        // Best effort: a waiter stopped for a while may be filling its prepared folder again.
        await rm(path, { recursive: true, force: true }).catch(() => undefined);
      }
    }
  }
}

/**
 * Waits for the clean-up after a commit (removing a cleared file, rewriting a truncated one).
 * The change committed while the lock was held; if the lock was taken over since, the new
 * holder cleans up instead (every append cuts what lies past the committed lines), so losing
 * it here must not report the committed change as failed.
 */
async function afterCommit(cleanUp: Promise<unknown>): Promise<void> {
  try {
    await cleanUp;
  } catch (error) {
    if (!(error instanceof LockLostError)) throw error;
  }
}

function newLogId(): string {
  return randomBytes(8).toString('hex');
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
