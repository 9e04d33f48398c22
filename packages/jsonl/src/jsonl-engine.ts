import { setMaxListeners } from 'node:events';
import {
  ConcurrentUpdateError,
  EngineClosedError,
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
  countRows,
  isExpiredAt,
  matchesFilter,
  queryRows,
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
import { afterCommit } from './after-commit.js';
import { deleteSessionFiles, deleteWhere } from './delete-where.js';
import { ensureFormat, readFormatVersion } from './format.js';
import { fileExists } from './fs-utils.js';
import { InFlight } from './in-flight.js';
import { Layout, type SessionPaths } from './layout.js';
import { LeaseFiles } from './lease-files.js';
import { listLeases } from './lease-scan.js';
import { newLogId, viewOf } from './log-view.js';
import { MessageLog } from './message-log.js';
import { resolveOptions, type JsonlEngineOptions, type ResolvedOptions } from './options.js';
import { readMessages } from './read-messages.js';
import type { StoredSession } from './records.js';
import { SessionFiles } from './session-files.js';
import { SessionLocks } from './session-locks.js';
import { messagesFor, sessionsFor } from './store-records.js';
import type { StoreFiles } from './store-files.js';
import { truncateMessages } from './truncate-messages.js';
import { updateWhere } from './update-where.js';

type Row = Readonly<Record<string, unknown>>;

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
  readonly #files: StoreFiles;
  readonly #closing = new AbortController();
  readonly #inFlight = new InFlight();

  constructor(options: JsonlEngineOptions) {
    super('jsonl', { persistent: true, crossProcess: true, nativeTtl: false });
    this.#options = resolveOptions(options);
    this.dir = this.#options.dir;
    this.#layout = new Layout(this.dir);
    this.#files = {
      layout: this.#layout,
      sessions: new SessionFiles({ fsync: this.#options.fsync }),
      log: new MessageLog({ fsync: this.#options.fsync, cacheSize: this.#options.indexCacheSize }),
      leases: new LeaseFiles({ fsync: this.#options.fsync, clock: this.#options.clock }),
      locks: new SessionLocks({ staleMs: this.#options.lockStaleMs, timeoutMs: this.#options.lockTimeoutMs }, this.#closing.signal),
    };
    // Every operation waiting for a lock file listens to it; there can be many.
    setMaxListeners(0, this.#closing.signal);
  }

  protected async doSetup(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    await ensureFormat(this.#layout, { fsync: this.#options.fsync });
  }

  protected doStoredSchemaVersion(signal: AbortSignal | undefined): Promise<number | null> {
    signal?.throwIfAborted();
    return this.#inFlight.track(() => readFormatVersion(this.#layout));
  }

  protected async doClose(): Promise<void> {
    // Waiters for lock files give up; operations already writing finish and release theirs.
    this.#closing.abort(new EngineClosedError(this.name));
    await this.#inFlight.settled();
    this.#files.log.clear();
  }

  protected doFindMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
    return this.#inFlight.track(async () => {
      if (model.name === 'sessions') return queryRows(await sessionsFor(this.#files, query.where), query);
      return queryRows(await messagesFor(this.#files, query.where), query);
    });
  }

  protected doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    return this.#inFlight.track(async () => {
      const rows = model.name === 'sessions' ? await sessionsFor(this.#files, where) : await messagesFor(this.#files, where);
      return countRows(rows, where);
    });
  }

  protected doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    return this.#inFlight.track(() => updateWhere(this.#files, model, where, set));
  }

  protected doDeleteSessions(where: ResolvedFilter): Promise<number> {
    return this.#inFlight.track(() => deleteWhere(this.#files, where, (session) => matchesFilter(where, session as unknown as Row)));
  }

  protected doGetSession(key: SessionKey): Promise<Session | null> {
    return this.#inFlight.track(async () => (await this.#files.sessions.read(this.#layout.session(key), key))?.session ?? null);
  }

  protected doCreateSession(session: Session, messages: readonly Message[]): Promise<Session> {
    return this.#inFlight.track(() => {
      const paths = this.#layout.session(session);
      return this.#files.locks.run(paths, async (fence) => {
        if (await fileExists(paths.session)) throw new SessionExistsError(session);
        const logId = newLogId();
        // Replaces whatever a deleted or half-created predecessor left; the session file below commits it.
        await this.#files.log.replace(paths.messages, logId, messages, fence);
        return this.#files.sessions.write(paths, { session, log: { id: logId, clearedThroughSeq: 0 } }, fence);
      });
    });
  }

  protected doUpdateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
    return this.#inFlight.track(() => {
      const paths = this.#layout.session(key);
      return this.#files.locks.run(
        paths,
        async (fence) => {
          const stored = await this.#writable(paths, key, options);
          if (options.expectedVersion !== undefined && stored.session.version !== options.expectedVersion) throw new ConcurrentUpdateError(key);
          const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
          return this.#files.sessions.write(paths, { session: { ...stored.session, ...defined, version: stored.session.version + 1 }, log: stored.log }, fence);
        },
        { key, lease: options.lease },
      );
    });
  }

  protected doAppendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
    return this.#inFlight.track(() => {
      const paths = this.#layout.session(key);
      return this.#files.locks.run(
        paths,
        async (fence) => {
          const stored = await this.#writable(paths, key, options);
          return this.#files.log.append(paths.messages, key, viewOf(stored), messages, fence, async (appended) => {
            const session = stored.session;
            const updatedAt = Math.max(session.updatedAt.getTime(), ...appended.map((message) => message.createdAt.getTime()));
            await this.#files.sessions.write(
              paths,
              {
                session: {
                  ...session,
                  lastSeq: session.lastSeq + appended.length,
                  messageCount: session.messageCount + appended.length,
                  updatedAt: new Date(updatedAt),
                },
                log: stored.log,
              },
              fence,
            );
          });
        },
        { key, lease: options.lease },
      );
    });
  }

  protected doReadMessages(key: SessionKey, range: MessageRange): Promise<Message[]> {
    return this.#inFlight.track(() => readMessages(this.#files, this.#layout.session(key), key, range));
  }

  protected doClearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    return this.#inFlight.track(() => {
      const paths = this.#layout.session(key);
      return this.#files.locks.run(
        paths,
        async (fence) => {
          const stored = await this.#writable(paths, key, options);
          // Committed first: should the file outlive a crash, its lines are at or below clearedThroughSeq and count for nothing.
          await this.#files.sessions.write(
            paths,
            {
              session: { ...stored.session, messageCount: 0, updatedAt: new Date(options.updatedAt.getTime()) },
              log: { id: newLogId(), clearedThroughSeq: stored.session.lastSeq },
            },
            fence,
          );
          await afterCommit(this.#files.log.remove(paths.messages, fence));
          return stored.session.messageCount;
        },
        { key, lease: options.lease },
      );
    });
  }

  protected doTruncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    return this.#inFlight.track(() => {
      const paths = this.#layout.session(key);
      return this.#files.locks.run(
        paths,
        async (fence) => {
          const stored = await this.#writable(paths, key, options);
          return truncateMessages(this.#files, paths, key, stored, options, fence);
        },
        { key, lease: options.lease },
      );
    });
  }

  protected doDeleteSession(key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
    return this.#inFlight.track(() => {
      const paths = this.#layout.session(key);
      return this.#files.locks.run(
        paths,
        async (fence) => {
          await this.#files.leases.check(paths, key, options.lease);
          return deleteSessionFiles(this.#files, paths, fence);
        },
        { key, lease: options.lease },
      );
    });
  }

  protected doDeleteExpired(now: Date): Promise<number> {
    return this.#inFlight.track(() => deleteWhere(this.#files, { kind: 'constant', value: true }, (session) => isExpiredAt(session, now)));
  }

  protected doAcquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    const paths = this.#layout.session(key);
    return this.#inFlight.track(() => this.#files.locks.run(paths, (fence) => this.#files.leases.acquire(paths, key, input, fence)));
  }

  protected doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    const paths = this.#layout.session(lease);
    return this.#inFlight.track(() => this.#files.locks.run(paths, (fence) => this.#files.leases.renew(paths, lease, ttlMs, fence)));
  }

  protected doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    const paths = this.#layout.session(key);
    return this.#inFlight.track(() => this.#files.locks.run(paths, (fence) => this.#files.leases.release(paths, key, lease, fence)));
  }

  /** Reads the lease files without taking their sessions' locks; each file is replaced whole, never written in place. */
  protected doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    return this.#inFlight.track(() => listLeases(this.#layout, query, this.#options.clock));
  }

  /**
   * The session a write goes to, under its lock: the lease still held (else `LockExpiredError`,
   * which wins over a missing session, as in MemoryEngine), the session there and, when
   * `liveAt` is given, not expired by then (else `SessionNotFoundError`).
   */
  async #writable(paths: SessionPaths, key: SessionKey, options: SessionWriteOptions): Promise<StoredSession> {
    // Both reads at once.
    const [fence, existing] = await Promise.allSettled([this.#files.leases.check(paths, key, options.lease), this.#existing(paths, key)]);
    if (fence.status === 'rejected') throw fence.reason;
    if (existing.status === 'rejected') throw existing.reason;
    const stored = existing.value;
    if (isExpiredAt(stored.session, options.liveAt)) throw new SessionNotFoundError(key);
    return stored;
  }

  async #existing(paths: SessionPaths, key: SessionKey): Promise<StoredSession> {
    const stored = await this.#files.sessions.read(paths, key);
    if (!stored) throw new SessionNotFoundError(key);
    return stored;
  }
}
