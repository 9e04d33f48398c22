import { abortable } from '../abort.js';
import {
  EngineClosedError,
  MessageExistsError,
  NotSetUpError,
  SessionExistsError,
  SessionsError,
  StorageError,
  ValidationError,
  type SessionKey,
} from '../errors.js';
import { resolveFilter, resolveOrderBy } from '../filter/resolve.js';
import type { ResolvedFilter, ResolvedOrderTerm } from '../filter/resolved.js';
import type { Filter } from '../filter/types.js';
import { assertJsonObject, describeType, isPlainObject } from '../json.js';
import type { Message } from '../models/message-model.js';
import type { ModelDefinition } from '../models/model.js';
import { modelDefinition, UPDATABLE_FIELDS, type ModelName, type ModelRecords } from '../models/records.js';
import { TITLE_MAX_LENGTH, type Session } from '../models/session-model.js';
import type { StorageErrorKind } from '../storage-error-kind.js';
import {
  assertDate,
  assertKey,
  assertLeaseRef,
  assertNewMessage,
  assertOptionalText,
  assertRange,
  assertSession,
  assertSessionChanges,
  assertSessionMessages,
  assertStatus,
} from '../validate.js';
import { DEFAULT_CAPABILITIES, type EngineCapabilities } from './capabilities.js';
import {
  ACQUIRE_LEASE_INPUT,
  APPEND_OPTIONS,
  assertLeaseOf,
  CLEAR_OPTIONS,
  COUNT_QUERY,
  DELETE_QUERY,
  DELETE_SESSION_OPTIONS,
  FIND_MANY_QUERY,
  FIND_ONE_QUERY,
  LIST_LEASES_QUERY,
  RENEW_LEASE_INPUT,
  signalOptions,
  TRUNCATE_OPTIONS,
  UPDATE_QUERY,
  UPDATE_SESSION_OPTIONS,
} from './engine-inputs.js';
import type {
  ClearMessagesOptions,
  Engine,
  FencedWriteOptions,
  FindManyQuery,
  FindOneQuery,
  MessageRange,
  NewMessage,
  SessionChanges,
  SessionWriteOptions,
  TruncateMessagesOptions,
  UpdateQuery,
  UpdateSessionOptions,
} from './engine.js';
import type { AcquireLeaseInput, Lease, LeaseGrant, LeaseInfo, LeaseRef, ListLeasesQuery } from './lease.js';

/** A validated query as adapters receive it. */
export interface ResolvedQuery {
  readonly where: ResolvedFilter;
  readonly orderBy: readonly ResolvedOrderTerm[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
}

const SETUP_OPTIONS = signalOptions('setup()');
const SCHEMA_VERSION_OPTIONS = signalOptions('storedSchemaVersion()');

type LifecycleState = 'new' | 'setting-up' | 'ready' | 'closed';

/**
 * The base every adapter extends. It keeps the guarantees that must not differ between
 * backends, so adapters only implement the `do*` hooks with already-validated input:
 * - `setup()` runs once (concurrent callers share it) and can be retried after a failure;
 *   calls before it throw `NotSetUpError`, calls after `close()` throw `EngineClosedError`;
 * - every input is validated (keys, records, filters) before a hook sees it;
 * - a driver error surfaces as `StorageError` with the driver's error as `cause`.
 *
 * @example
 * export class MyEngine extends BaseEngine {
 *   constructor() { super('my-store', { persistent: true, crossProcess: false, nativeTtl: false }) }
 *   protected async doSetup() { ... }
 *   // ... the other do* hooks
 * }
 */
export abstract class BaseEngine implements Engine {
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  #state: LifecycleState = 'new';
  #setup: Promise<void> | undefined;
  /** The release under way or done; cleared when it fails, so close() can be retried. */
  #closing: Promise<void> | undefined;

  protected constructor(name: string, capabilities: Partial<EngineCapabilities> = {}) {
    this.name = name;
    this.capabilities = Object.freeze({ ...DEFAULT_CAPABILITIES, ...capabilities });
  }

  protected abstract doSetup(signal: AbortSignal | undefined): Promise<void>;
  protected abstract doClose(): Promise<void>;
  /** See `Engine.storedSchemaVersion`: read-only, callable before `doSetup`. */
  protected abstract doStoredSchemaVersion(signal: AbortSignal | undefined): Promise<number | null>;
  protected abstract doFindMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>>;
  protected abstract doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number>;
  protected abstract doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number>;
  protected abstract doDeleteSessions(where: ResolvedFilter): Promise<number>;
  protected abstract doGetSession(key: SessionKey): Promise<Session | null>;
  protected abstract doCreateSession(session: Session, messages: readonly Message[]): Promise<Session>;
  protected abstract doUpdateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session>;
  protected abstract doAppendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]>;
  protected abstract doReadMessages(key: SessionKey, range: MessageRange): Promise<Message[]>;
  protected abstract doClearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number>;
  /** `afterSeq` is a whole number; the session's messages above it go, nothing else changes but messageCount and updatedAt. */
  protected abstract doTruncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number>;
  protected abstract doDeleteSession(key: SessionKey, options: FencedWriteOptions): Promise<boolean>;
  protected abstract doDeleteExpired(now: Date): Promise<number>;
  protected abstract doAcquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant>;
  protected abstract doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null>;
  protected abstract doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean>;
  /** `query.limit` is always set (1 to 1,000); `held` filters on the store's clock. */
  protected abstract doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]>;

  /**
   * Inserts validated new sessions (no duplicates within the batch). This default refuses the
   * batch when one of them exists, then creates them one by one; a store with transactions
   * should override it to insert the batch atomically in one statement.
   */
  protected async doInsertSessions(records: readonly Session[]): Promise<number> {
    for (const record of records) if (await this.doGetSession(record)) throw new SessionExistsError(record);
    for (const record of records) await this.doCreateSession(record, []);
    return records.length;
  }

  async setup(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = SETUP_OPTIONS.parse(options, 'options');
    if (this.#state === 'closed') throw new EngineClosedError(this.name);
    if (this.#state === 'ready') return;
    signal?.throwIfAborted();
    this.#setup ??= this.#runSetup(signal);
    return this.#setup;
  }

  async #runSetup(signal: AbortSignal | undefined): Promise<void> {
    this.#state = 'setting-up';
    try {
      await this.doSetup(signal);
      // close() may have run while doSetup was pending; it wins.
      if ((this.#state as LifecycleState) === 'setting-up') this.#state = 'ready';
    } catch (error) {
      if (this.#state === 'setting-up') this.#state = 'new';
      this.#setup = undefined;
      if (isAbortReason(error, signal)) throw error;
      throw this.#wrap('setup', error);
    }
  }

  /**
   * Releases what the engine holds, once: concurrent calls share one release, later calls
   * return at once, and a failed release can be retried (as Kysely's `destroy()`). From the
   * first call on, every other operation throws `EngineClosedError`, even if releasing fails.
   */
  close(): Promise<void> {
    this.#state = 'closed';
    this.#closing ??= this.#release().catch((error: unknown) => {
      this.#closing = undefined;
      throw this.#wrap('close', error);
    });
    return this.#closing;
  }

  async #release(): Promise<void> {
    const pendingSetup = this.#setup;
    this.#setup = undefined;
    await pendingSetup?.catch(() => undefined);
    await this.doClose();
  }

  async storedSchemaVersion(options: { signal?: AbortSignal } = {}): Promise<number | null> {
    const { signal } = SCHEMA_VERSION_OPTIONS.parse(options, 'options');
    if (this.#state === 'closed') throw new EngineClosedError(this.name);
    signal?.throwIfAborted();
    try {
      // Raced here, so every adapter gives up on an abort at once, whatever its driver waits for.
      return await abortable(this.doStoredSchemaVersion(signal), signal);
    } catch (error) {
      if (isAbortReason(error, signal)) throw error;
      if (this.#lifecycle() === 'closed' && !(error instanceof SessionsError)) throw new EngineClosedError(this.name);
      throw this.#wrap('storedSchemaVersion', error);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** True between a successful `setup()` and `close()`. */
  get isReady(): boolean {
    return this.#state === 'ready';
  }

  async #guard<T>(operation: string, body: () => Promise<T>): Promise<T> {
    if (this.#state === 'setting-up') await this.#setup;
    if (this.#lifecycle() === 'closed') throw new EngineClosedError(this.name);
    if (this.#lifecycle() === 'new') throw new NotSetUpError(this.name);
    try {
      return await body();
    } catch (error) {
      // A driver error from a call that close() cut short says less than this does.
      if (this.#lifecycle() === 'closed' && !(error instanceof SessionsError)) throw new EngineClosedError(this.name);
      throw this.#wrap(operation, error);
    }
  }

  #lifecycle(): LifecycleState {
    return this.#state;
  }

  #wrap(operation: string, error: unknown): Error {
    return error instanceof SessionsError
      ? error
      : new StorageError(this.name, operation, this.explainDriverError(error), { kind: this.storageErrorKind(error) });
  }

  /**
   * The `StorageError` kind of a driver error, told from the driver's own codes (SQLSTATE, errno,
   * result code). Undefined leaves it to the operating-system code in the error, else `'unknown'`.
   */
  protected storageErrorKind(_error: unknown): StorageErrorKind | undefined {
    return undefined;
  }

  /**
   * Lets an adapter replace a driver error with one that says more (which server refused the
   * connection, say) before it becomes a `StorageError`'s `cause`. Every operation's driver
   * errors pass through it, setup and close included, so the explanation lives in one place.
   * The default keeps the error as it is.
   */
  protected explainDriverError(error: unknown): unknown {
    return error;
  }

  #resolveQuery(model: ModelDefinition, query: FindManyQuery): ResolvedQuery {
    return {
      where: query.where === undefined ? { kind: 'constant', value: true } : resolveFilter(query.where, model),
      orderBy: resolveOrderBy(query.orderBy, model),
      limit: query.limit,
      offset: query.offset,
    };
  }

  findOne<M extends ModelName>(model: M, query: FindOneQuery = {}): Promise<ModelRecords[M] | null> {
    return this.#guard('findOne', async () => {
      const definition = modelDefinition(model);
      const rows = await this.doFindMany(definition, { ...this.#resolveQuery(definition, FIND_ONE_QUERY.parse(query, 'query')), limit: 1, offset: undefined });
      return (rows[0] as unknown as ModelRecords[M] | undefined) ?? null;
    });
  }

  findMany<M extends ModelName>(model: M, query: FindManyQuery = {}): Promise<ModelRecords[M][]> {
    return this.#guard('findMany', async () => {
      const definition = modelDefinition(model);
      const resolved = this.#resolveQuery(definition, FIND_MANY_QUERY.parse(query, 'query'));
      if (resolved.limit === 0) return [];
      return (await this.doFindMany(definition, resolved)) as unknown as ModelRecords[M][];
    });
  }

  count(model: ModelName, query: { where?: Filter } = {}): Promise<number> {
    return this.#guard('count', async () => {
      const definition = modelDefinition(model);
      return this.doCount(definition, this.#resolveQuery(definition, COUNT_QUERY.parse(query, 'query')).where);
    });
  }

  insert(model: 'sessions', records: readonly Session[]): Promise<number> {
    return this.#guard('insert', async () => {
      if (model !== 'sessions') {
        throw new ValidationError(`insert writes sessions only; add messages with appendMessages so seq stays gap-free`, { path: 'model' });
      }
      if (!Array.isArray(records)) throw new ValidationError(`expected an array of sessions, got ${describeType(records)}`, { path: 'records' });
      const keys = new Set<string>();
      records.forEach((record, i) => {
        assertSession(record, `records[${i}]`);
        if (record.messageCount !== 0) throw new ValidationError('a new session starts with messageCount 0', { path: `records[${i}].messageCount` });
        const id = `${record.userId}\u0000${record.sessionId}`;
        if (keys.has(id)) throw new SessionExistsError(record);
        keys.add(id);
      });
      return this.doInsertSessions(records);
    });
  }

  update<M extends ModelName>(model: M, query: UpdateQuery<M>): Promise<number> {
    return this.#guard('update', async () => {
      const definition = modelDefinition(model);
      const parsed = UPDATE_QUERY.parse(query, 'query');
      if (parsed.where === undefined) throw new ValidationError('update needs { where, set }; pass and() to match everything', { path: 'query' });
      const where = resolveFilter(parsed.where, definition);
      const set = checkUpdateSet(model, parsed.set);
      return this.doUpdate(definition, where, set);
    });
  }

  delete(model: 'sessions', query: { where: Filter }): Promise<number> {
    return this.#guard('delete', async () => {
      if (model !== 'sessions') {
        throw new ValidationError("delete removes sessions (with their messages); to drop a session's messages use clearMessages", { path: 'model' });
      }
      const { where } = DELETE_QUERY.parse(query, 'query');
      if (where === undefined) throw new ValidationError('delete needs { where }; pass and() to match everything', { path: 'query' });
      return this.doDeleteSessions(resolveFilter(where, modelDefinition('sessions')));
    });
  }

  getSession(key: SessionKey): Promise<Session | null> {
    return this.#guard('getSession', async () => {
      assertKey(key);
      return this.doGetSession(key);
    });
  }

  createSession(session: Session, messages: readonly Message[] = []): Promise<Session> {
    return this.#guard('createSession', async () => {
      assertSession(session);
      if (!Array.isArray(messages)) throw new ValidationError(`expected an array of messages, got ${describeType(messages)}`, { path: 'messages' });
      assertSessionMessages(session, messages);
      return this.doCreateSession(session, messages);
    });
  }

  updateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions = {}): Promise<Session> {
    return this.#guard('updateSession', async () => {
      assertKey(key);
      assertSessionChanges(changes);
      const parsed = UPDATE_SESSION_OPTIONS.parse(options, 'options');
      assertLeaseOf(key, parsed.lease);
      return this.doUpdateSession(key, changes, parsed);
    });
  }

  appendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions = {}): Promise<Message[]> {
    return this.#guard('appendMessages', async () => {
      assertKey(key);
      const parsed = APPEND_OPTIONS.parse(options, 'options');
      assertLeaseOf(key, parsed.lease);
      if (!Array.isArray(messages)) throw new ValidationError(`expected an array of messages, got ${describeType(messages)}`, { path: 'messages' });
      if (messages.length === 0) return [];
      const ids = new Set<string>();
      messages.forEach((message, i) => {
        assertNewMessage(message, `messages[${i}]`);
        assertSameKey(key, message, `messages[${i}]`);
        if (ids.has(message.id)) throw new MessageExistsError(key, message.id);
        ids.add(message.id);
      });
      return this.doAppendMessages(key, messages, parsed);
    });
  }

  readMessages(key: SessionKey, range: MessageRange = {}): Promise<Message[]> {
    return this.#guard('readMessages', async () => {
      assertKey(key);
      assertRange(range);
      if (range.last === 0 || range.limit === 0) return [];
      return this.doReadMessages(key, range);
    });
  }

  clearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    return this.#guard('clearMessages', async () => {
      assertKey(key);
      const parsed = CLEAR_OPTIONS.parse(options, 'options');
      assertLeaseOf(key, parsed.lease);
      return this.doClearMessages(key, parsed);
    });
  }

  truncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    return this.#guard('truncateMessages', async () => {
      assertKey(key);
      const parsed = TRUNCATE_OPTIONS.parse(options, 'options');
      assertLeaseOf(key, parsed.lease);
      return this.doTruncateMessages(key, parsed);
    });
  }

  deleteSession(key: SessionKey, options: FencedWriteOptions = {}): Promise<boolean> {
    return this.#guard('deleteSession', async () => {
      assertKey(key);
      const parsed = DELETE_SESSION_OPTIONS.parse(options, 'options');
      assertLeaseOf(key, parsed.lease);
      return this.doDeleteSession(key, parsed);
    });
  }

  deleteExpired(now: Date): Promise<number> {
    return this.#guard('deleteExpired', async () => {
      assertDate(now, 'now');
      return this.doDeleteExpired(now);
    });
  }

  acquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    return this.#guard('acquireLease', async () => {
      assertKey(key);
      return this.doAcquireLease(key, ACQUIRE_LEASE_INPUT.parse(input, 'input'));
    });
  }

  renewLease(lease: Lease, input: { ttlMs: number }): Promise<Lease | null> {
    return this.#guard('renewLease', async () => {
      assertKey(lease, 'lease');
      assertLeaseRef(lease);
      return this.doRenewLease(lease, RENEW_LEASE_INPUT.parse(input, 'input').ttlMs);
    });
  }

  listLeases(query: ListLeasesQuery = {}): Promise<LeaseInfo[]> {
    return this.#guard('listLeases', async () => {
      const parsed = LIST_LEASES_QUERY.parse(query, 'query');
      return this.doListLeases({ ...parsed, limit: parsed.limit ?? 100 });
    });
  }

  releaseLease(lease: LeaseRef & SessionKey): Promise<boolean> {
    return this.#guard('releaseLease', async () => {
      assertKey(lease, 'lease');
      assertLeaseRef(lease);
      return this.doReleaseLease({ userId: lease.userId, sessionId: lease.sessionId }, { owner: lease.owner, token: lease.token });
    });
  }
}

function assertSameKey(key: SessionKey, message: { userId: string; sessionId: string }, path: string): void {
  if (message.userId !== key.userId || message.sessionId !== key.sessionId) {
    throw new ValidationError('belongs to another session than the one written to', { path });
  }
}

function checkUpdateSet(model: ModelName, set: unknown): Record<string, unknown> {
  if (!isPlainObject(set)) throw new ValidationError(`expected set: an object of fields, got ${describeType(set)}`, { path: 'set' });
  const allowed = UPDATABLE_FIELDS[model];
  const fields = Object.keys(set).filter((field) => set[field] !== undefined);
  if (fields.length === 0) throw new ValidationError('set names no field to change', { path: 'set' });
  for (const field of fields) {
    const path = `set.${field}`;
    if (!allowed.includes(field)) throw new ValidationError(`cannot set ${JSON.stringify(field)} on ${model}; settable: ${allowed.join(', ')}`, { path });
    const value = set[field];
    switch (field) {
      case 'title':
        assertOptionalText(value, path, TITLE_MAX_LENGTH);
        break;
      case 'metadata':
      case 'state':
        assertJsonObject(value, path);
        break;
      case 'status':
        assertStatus(value, path);
        break;
      case 'updatedAt':
        assertDate(value, path);
        break;
      case 'expiresAt':
        if (value !== null) assertDate(value, path);
        break;
    }
  }
  return Object.fromEntries(fields.map((field) => [field, set[field]]));
}

/** A caller that aborts gets its own reason back, as from any other wait, not a StorageError around it. */
function isAbortReason(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && error === signal.reason;
}
