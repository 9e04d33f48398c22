import {
  ConcurrentUpdateError,
  LockExpiredError,
  MessageExistsError,
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
import { decodeMessage, decodeSession, encodeMessage, encodeSession } from './codec.js';
import { FileLock } from './file-lock.js';
import { leaseInfo, toLease } from './leases.js';
import { sliceRange } from './range.js';
import { createStoreDir, readStore, SCHEMA_VERSION, sessionKeyOf, writeStore, type StoreDocument } from './store-file.js';

export interface JsonFileEngineOptions {
  /** The store's directory; `setup()` creates it and `store.json` in it. */
  dir: string;
}

type StoredSession = StoreDocument['sessions'][string];

/**
 * Sessions in one JSON file per directory. Every write takes a lock file shared by all processes,
 * reads the document, changes it and replaces the file atomically, so each hook is atomic across
 * processes; reads take no lock, since a rename never shows a half-written file. Small and slow
 * on big stores: an example of the contract, not a production backend.
 *
 * @example
 * const engine = new JsonFileEngine({ dir: './sessions' })
 * await engine.setup()
 */
export class JsonFileEngine extends BaseEngine {
  readonly dir: string;
  readonly #lock: FileLock;

  constructor(options: JsonFileEngineOptions) {
    super('json-file', { persistent: true, crossProcess: true, nativeTtl: false });
    this.dir = options.dir;
    this.#lock = new FileLock(options.dir);
  }

  protected async doSetup(): Promise<void> {
    await createStoreDir(this.dir);
    await this.#lock.withLock(async () => {
      if (!(await readStore(this.dir))) await writeStore(this.dir, { schemaVersion: SCHEMA_VERSION, sessions: {}, leases: {} });
    });
  }

  protected async doClose(): Promise<void> {}

  protected async doStoredSchemaVersion(): Promise<number | null> {
    return (await readStore(this.dir))?.schemaVersion ?? null;
  }

  protected async doFindMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
    const rows = rowsOf(model, await this.#read()).filter((row) => matchesFilter(query.where, row));
    rows.sort(compareByOrder<Session | Message>(query.orderBy));
    const start = query.offset ?? 0;
    return rows.slice(start, query.limit === undefined ? undefined : start + query.limit);
  }

  protected async doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    return rowsOf(model, await this.#read()).filter((row) => matchesFilter(where, row)).length;
  }

  protected doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    return this.#write((document) => {
      let count = 0;
      for (const stored of Object.values(document.sessions)) {
        if (model.name === 'sessions') {
          const session = decodeSession(stored.session);
          if (!matchesFilter(where, session)) continue;
          stored.session = encodeSession({ ...session, ...(set as Partial<Session>), version: session.version + 1 });
          count++;
        } else {
          stored.messages = stored.messages.map((json) => {
            const message = decodeMessage(json);
            if (!matchesFilter(where, message)) return json;
            count++;
            return encodeMessage({ ...message, ...(set as Partial<Message>) });
          });
        }
      }
      return count;
    });
  }

  protected doDeleteSessions(where: ResolvedFilter): Promise<number> {
    return this.#write((document) => {
      let count = 0;
      for (const [id, stored] of Object.entries(document.sessions)) {
        if (!matchesFilter(where, decodeSession(stored.session))) continue;
        delete document.sessions[id];
        count++;
      }
      return count;
    });
  }

  protected override doInsertSessions(records: readonly Session[]): Promise<number> {
    return this.#write((document) => {
      // Every check before the first change: a batch is written whole or not at all.
      for (const record of records) if (document.sessions[sessionKeyOf(record)]) throw new SessionExistsError(record);
      for (const record of records) document.sessions[sessionKeyOf(record)] = { session: encodeSession(record), messages: [] };
      return records.length;
    });
  }

  protected async doGetSession(key: SessionKey): Promise<Session | null> {
    const stored = (await this.#read()).sessions[sessionKeyOf(key)];
    return stored ? decodeSession(stored.session) : null;
  }

  protected doCreateSession(session: Session, messages: readonly Message[]): Promise<Session> {
    return this.#write((document) => {
      // An expired leftover is refused too: replacing it is SessionManager's decision.
      if (document.sessions[sessionKeyOf(session)]) throw new SessionExistsError(session);
      document.sessions[sessionKeyOf(session)] = { session: encodeSession(session), messages: messages.map(encodeMessage) };
      return session;
    });
  }

  protected doUpdateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
    return this.#write((document) => {
      const stored = this.#fencedLive(document, key, options);
      const session = decodeSession(stored.session);
      if (options.expectedVersion !== undefined && session.version !== options.expectedVersion) throw new ConcurrentUpdateError(key);
      const updated: Session = { ...session, ...definedFields(changes), version: session.version + 1 };
      stored.session = encodeSession(updated);
      return updated;
    });
  }

  protected doAppendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
    return this.#write((document) => {
      const stored = this.#fencedLive(document, key, options);
      const taken = new Set(stored.messages.map((message) => message.id));
      for (const message of messages) if (taken.has(message.id)) throw new MessageExistsError(key, message.id);
      const session = decodeSession(stored.session);
      const appended = messages.map((message, i): Message => ({ ...message, seq: session.lastSeq + i + 1 }));
      const updatedAt = Math.max(session.updatedAt.getTime(), ...appended.map((message) => message.createdAt.getTime()));
      stored.messages.push(...appended.map(encodeMessage));
      stored.session = encodeSession({
        ...session,
        lastSeq: session.lastSeq + appended.length,
        messageCount: session.messageCount + appended.length,
        updatedAt: new Date(updatedAt),
      });
      return appended;
    });
  }

  protected async doReadMessages(key: SessionKey, range: MessageRange): Promise<Message[]> {
    const stored = (await this.#read()).sessions[sessionKeyOf(key)];
    if (!stored || isExpiredAt(decodeSession(stored.session), range.liveAt)) return [];
    return sliceRange(stored.messages, range).map(decodeMessage);
  }

  protected doClearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    return this.#write((document) => {
      const stored = this.#fencedLive(document, key, options);
      const count = stored.messages.length;
      stored.messages = [];
      stored.session = encodeSession({ ...decodeSession(stored.session), messageCount: 0, updatedAt: options.updatedAt });
      return count;
    });
  }

  protected doTruncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    return this.#write((document) => {
      const stored = this.#fencedLive(document, key, options);
      const kept = stored.messages.filter((message) => message.seq <= options.afterSeq);
      const removed = stored.messages.length - kept.length;
      stored.messages = kept;
      stored.session = encodeSession({ ...decodeSession(stored.session), messageCount: kept.length, updatedAt: options.updatedAt });
      return removed;
    });
  }

  protected doDeleteSession(key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
    return this.#write((document) => {
      checkFence(document, key, options.lease);
      const existed = document.sessions[sessionKeyOf(key)] !== undefined;
      // The lease row stays: tokens must keep growing if the session is created again.
      delete document.sessions[sessionKeyOf(key)];
      return existed;
    });
  }

  protected doDeleteExpired(now: Date): Promise<number> {
    return this.#write((document) => {
      let count = 0;
      for (const [id, stored] of Object.entries(document.sessions)) {
        if (!isExpiredAt(decodeSession(stored.session), now)) continue;
        delete document.sessions[id];
        count++;
      }
      return count;
    });
  }

  protected doAcquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    return this.#write((document) => {
      const now = Date.now();
      const current = document.leases[sessionKeyOf(key)];
      // Not re-entrant: a held lease is refused to its own owner too.
      if (current && current.expiresAt !== null && current.expiresAt > now) {
        return { acquired: false, holder: current.owner, expiresAt: new Date(current.expiresAt) };
      }
      const granted = { owner: input.owner, token: (current?.token ?? 0) + 1, expiresAt: now + input.ttlMs };
      document.leases[sessionKeyOf(key)] = granted;
      return { acquired: true, lease: toLease(key, granted) };
    });
  }

  protected doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    return this.#write((document) => {
      const current = heldLease(document, lease, lease);
      if (!current) return null;
      current.expiresAt = Date.now() + ttlMs;
      return toLease(lease, current);
    });
  }

  protected doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    return this.#write((document) => {
      const current = document.leases[sessionKeyOf(key)];
      if (!current || current.owner !== lease.owner || current.token !== lease.token || current.expiresAt === null) return false;
      // An expired lease is ended too, but the answer is false: it was no longer held.
      const wasHeld = current.expiresAt > Date.now();
      current.expiresAt = null;
      return wasHeld;
    });
  }

  protected async doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    const { leases } = await this.#read();
    return leaseInfo(leases, query, Date.now());
  }

  async #read(): Promise<StoreDocument> {
    const document = await readStore(this.dir);
    if (!document) throw new Error(`${this.dir} holds no store: was it deleted after setup()?`);
    return document;
  }

  /** Runs one write under the cross-process lock; the file changes only if `change` returns. */
  #write<T>(change: (document: StoreDocument) => T): Promise<T> {
    return this.#lock.withLock(async () => {
      const document = await this.#read();
      const result = change(document);
      await writeStore(this.dir, document);
      return result;
    });
  }

  /** The checks of a fenced write, in the contract's order: the lease, then the session (missing or expired). */
  #fencedLive(document: StoreDocument, key: SessionKey, options: SessionWriteOptions): StoredSession {
    checkFence(document, key, options.lease);
    const stored = document.sessions[sessionKeyOf(key)];
    if (!stored || isExpiredAt(decodeSession(stored.session), options.liveAt)) throw new SessionNotFoundError(key);
    return stored;
  }
}

function rowsOf(model: ModelDefinition, document: StoreDocument): Array<Session | Message> {
  const sessions = Object.values(document.sessions);
  if (model.name === 'sessions') return sessions.map((stored) => decodeSession(stored.session));
  return sessions.flatMap((stored) => stored.messages.map(decodeMessage));
}

function heldLease(document: StoreDocument, key: SessionKey, lease: LeaseRef) {
  const current = document.leases[sessionKeyOf(key)];
  if (!current || current.owner !== lease.owner || current.token !== lease.token) return null;
  if (current.expiresAt === null || current.expiresAt <= Date.now()) return null;
  return current;
}

function checkFence(document: StoreDocument, key: SessionKey, lease: LeaseRef | undefined): void {
  if (lease && !heldLease(document, key, lease)) throw new LockExpiredError(key);
}

/** `changes` without the fields left undefined, so they do not overwrite stored values. */
function definedFields(changes: SessionChanges): Partial<Session> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<Session>;
}
