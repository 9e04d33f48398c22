import { ValidationError, type Lease, type LeaseRef, type Message, type Session, type SessionKey } from '@sessions/core';
import {
  BaseEngine,
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
import { decodeMessage, decodeSession, encodeMessageBody, encodeSessionChanges, pairsToHash, withSeq } from './codec.js';
import { createClient, explainConnectionFailure } from './connection.js';
import { KeySpace } from './keys.js';
import { acquireLease, releaseLease, renewLease } from './leases.js';
import { resolveOptions, type RedisEngineOptions, type ResolvedOptions } from './options.js';
import type { RedisClient, RedisConnection } from './redis-client.js';
import { awaitReplicas } from './replica-ack.js';
import { listLeases } from './query/lease-query.js';
import { countMessages, findMessages } from './query/message-query.js';
import { scoreRange } from './query/range-args.js';
import { countSessions, findSessions } from './query/session-query.js';
import { defineScripts, runScript } from './scripts/commands.js';
import { expectOk, fenceArgs, liveAtArg, type ScriptReply } from './script-reply.js';
import { setupStore, storedLayoutVersion } from './setup.js';
import { zrange, type Store } from './store.js';
import { createSession } from './writes/create-session.js';
import { deleteExpired } from './writes/delete-expired.js';
import { deleteSessions, updateMessages, updateSessions } from './writes/generic-writes.js';

/**
 * Sessions on Redis through ioredis: a hash per session, a sorted set of its messages by
 * seq, a lease hash, and per-user sorted-set indexes, all of one user under one Redis
 * Cluster hash tag. Every write is one Lua script (a fenced append is one round trip);
 * leases run on Redis's clock; sessions with a TTL expire natively, all keys together.
 *
 * @example
 * const engine = new RedisEngine({ url: 'redis://127.0.0.1:6379', prefix: 'chat:' })
 * await engine.setup()
 * const sessions = new SessionManager({ engine })
 */
export class RedisEngine extends BaseEngine {
  /** The prefix of every key this engine reads and writes. */
  readonly prefix: string;
  readonly #options: ResolvedOptions;
  readonly #keys: KeySpace;
  /** The client the engine created (and closes), if it did. */
  #ownClient: RedisConnection | undefined;
  readonly #client: RedisClient;
  #lastConnectionError: Error | undefined;

  constructor(options: RedisEngineOptions) {
    super('redis', { persistent: true, crossProcess: true, nativeTtl: true });
    if (typeof options !== 'object' || options === null) throw new ValidationError('RedisEngine needs { url } or { client }', { path: 'options' });
    if ((options.url === undefined) === (options.client === undefined)) {
      throw new ValidationError('give exactly one of url (the engine opens and closes its client) and client (yours, left open)', { path: 'options' });
    }
    this.#options = resolveOptions(options);
    this.#keys = new KeySpace(this.#options.prefix);
    this.prefix = this.#options.prefix;
    if (options.url !== undefined) {
      this.#ownClient = createClient(options.url, options.redisOptions);
      // Failures reach callers as StorageError; the event would only be logged as unhandled.
      this.#ownClient.on('error', (error: Error) => {
        this.#lastConnectionError = error;
      });
      this.#client = this.#ownClient;
    } else {
      this.#client = options.client!;
    }
  }

  /** The client in use (the injected one, or the engine's own ioredis `Redis`). */
  get client(): RedisClient {
    return this.#client;
  }

  /** The last connection error of the engine's own client (they also reach callers as StorageError). */
  get lastConnectionError(): Error | undefined {
    return this.#lastConnectionError;
  }

  get #store(): Store {
    return { client: this.#client, keys: this.#keys };
  }

  /**
   * With `waitForReplicas`, returns `result` once enough replicas have the write to `key`'s
   * keys (no key: every write this engine sent), else throws ReplicaAckError.
   */
  async #replicated<T>(result: T, key?: SessionKey, ...otherKeys: string[]): Promise<T> {
    const wait = this.#options.waitForReplicas;
    if (wait) await awaitReplicas(this.#client, wait, key === undefined ? undefined : [this.#keys.session(key).session, ...otherKeys]);
    return result;
  }

  protected async doSetup(signal: AbortSignal | undefined): Promise<void> {
    defineScripts(this.#client);
    await setupStore(this.#store, this.#ownClient, signal);
  }

  protected async doStoredSchemaVersion(signal: AbortSignal | undefined): Promise<number | null> {
    return storedLayoutVersion(this.#store, this.#ownClient, signal);
  }

  protected override explainDriverError(error: unknown): unknown {
    return explainConnectionFailure(error, this.#ownClient, this.#lastConnectionError);
  }

  protected async doClose(): Promise<void> {
    const client = this.#ownClient;
    this.#ownClient = undefined;
    if (!client) return;
    if (client.status !== 'ready') {
      // Connecting or between reconnect attempts: stop trying, nothing is in flight.
      client.disconnect();
      return;
    }
    // QUIT lets replies already on their way arrive, then the socket closes ('end').
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    await client.quit().catch(() => client.disconnect());
    await Promise.race([ended, new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref())]);
  }

  protected async doFindMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
    if (model.name === 'sessions') return (await findSessions(this.#store, query)).map((fetched) => fetched.session);
    return (await findMessages(this.#store, query)).map((fetched) => fetched.message);
  }

  protected async doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    return model.name === 'sessions' ? countSessions(this.#store, where) : countMessages(this.#store, where);
  }

  protected async doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    return this.#replicated(
      model.name === 'sessions' ? await updateSessions(this.#store, this.#options, where, set) : await updateMessages(this.#store, where, set),
    );
  }

  protected async doDeleteSessions(where: ResolvedFilter): Promise<number> {
    return this.#replicated(await deleteSessions(this.#store, where));
  }

  protected async doGetSession(key: SessionKey): Promise<Session | null> {
    return decodeSession(await this.#client.hgetall(this.#keys.session(key).session));
  }

  protected async doCreateSession(session: Session, messages: readonly Message[]): Promise<Session> {
    return this.#replicated(await createSession(this.#store, this.#options, session, messages), session, this.#keys.users);
  }

  protected async doUpdateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
    const { set, unset } = encodeSessionChanges(changes as unknown as Record<string, unknown>);
    const { updatedAt, expiresAt } = changes;
    const expiry = expiresAt === undefined ? ['keep', ''] : expiresAt === null ? ['none', ''] : ['set', String(expiresAt.getTime())];
    const reply = await runScript<ScriptReply>(this.#client, 'sessionsV1Update', this.#keys.scriptKeys(key), [
      key.sessionId,
      ...fenceArgs(options.lease),
      liveAtArg(options.liveAt),
      options.expectedVersion === undefined ? '' : String(options.expectedVersion),
      '',
      String(updatedAt.getTime()),
      ...expiry,
      this.#options.expiryGraceMs,
      '1',
      set.length,
      ...set.flat(),
      unset.length,
      ...unset,
    ]);
    const [record] = expectOk(key, reply);
    return this.#replicated(decodeSession(pairsToHash(record as string[]))!, key);
  }

  protected async doAppendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
    const bodies = messages.map(encodeMessageBody);
    const newest = messages.reduce((latest, message) => Math.max(latest, message.createdAt.getTime()), -Infinity);
    const args: Array<string | number> = [key.sessionId, ...fenceArgs(options.lease), liveAtArg(options.liveAt), String(newest), messages.length];
    messages.forEach((message, i) => args.push(message.id, bodies[i]!));
    const [last] = expectOk(key, await runScript<ScriptReply>(this.#client, 'sessionsV1Append', this.#keys.scriptKeys(key), args));
    return this.#replicated(
      bodies.map((body, i) => decodeMessage(key, withSeq(body, (last as number) + i + 1))),
      key,
    );
  }

  protected async doReadMessages(key: SessionKey, range: MessageRange): Promise<Message[]> {
    const interval = {
      ...(range.afterSeq === undefined ? {} : { low: { value: range.afterSeq, open: true } }),
      ...(range.beforeSeq === undefined ? {} : { high: { value: range.beforeSeq, open: true } }),
    };
    const newest = range.last !== undefined;
    const count = range.last ?? range.limit;
    const args: Array<string | number> = scoreRange(interval, newest);
    if (count !== undefined) args.push('LIMIT', 0, count);
    const keys = this.#keys.session(key);
    // Without liveAt nothing is judged, so the read stays the plain ZRANGE (tools read expired sessions too).
    const members =
      range.liveAt === undefined
        ? await zrange(this.#store, keys.messages, args)
        : await runScript<string[]>(this.#client, 'sessionsV1ReadMessages', [keys.session, keys.messages], [liveAtArg(range.liveAt), ...args]);
    if (newest) members.reverse();
    return members.map((member) => decodeMessage(key, member));
  }

  protected async doClearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    const reply = await runScript<ScriptReply>(this.#client, 'sessionsV1Clear', this.#keys.scriptKeys(key), [
      key.sessionId,
      ...fenceArgs(options.lease),
      liveAtArg(options.liveAt),
      String(options.updatedAt.getTime()),
    ]);
    return this.#replicated(expectOk(key, reply)[0] as number, key);
  }

  protected async doTruncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    const reply = await runScript<ScriptReply>(this.#client, 'sessionsV1Truncate', this.#keys.scriptKeys(key), [
      key.sessionId,
      ...fenceArgs(options.lease),
      liveAtArg(options.liveAt),
      String(options.afterSeq),
      String(options.updatedAt.getTime()),
    ]);
    return this.#replicated(expectOk(key, reply)[0] as number, key);
  }

  protected async doDeleteSession(key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
    const reply = await runScript<ScriptReply>(this.#client, 'sessionsV1Delete', this.#keys.scriptKeys(key), [
      key.sessionId,
      ...fenceArgs(options.lease),
      '',
      '',
      '',
    ]);
    return this.#replicated(expectOk(key, reply)[0] === 1, key);
  }

  protected async doDeleteExpired(now: Date): Promise<number> {
    return this.#replicated(await deleteExpired(this.#store, now));
  }

  protected async doAcquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    const grant = await acquireLease(this.#store, key, input);
    return grant.acquired ? this.#replicated(grant, key) : grant;
  }

  protected async doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    const renewed = await renewLease(this.#store, lease, ttlMs);
    return renewed ? this.#replicated(renewed, lease) : renewed;
  }

  protected async doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    return this.#replicated(await releaseLease(this.#store, key, lease), key);
  }

  protected async doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    return listLeases(this.#store, query);
  }
}
