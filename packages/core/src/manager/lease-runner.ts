import { sleep } from '../abort.js';
import type { Engine } from '../engine/engine.js';
import { LockExpiredError, LockHeldError, type SessionKey } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { Message } from '../models/message-model.js';
import type { Session } from '../models/session-model.js';
import { holdLease, renewedLease, type HeldLease } from './held-lease.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { MessageInput } from './message-input.js';
import type { RangeOf } from './read-live.js';
import type { SessionManager } from './session-manager.js';

export interface RunContext {
  readonly key: SessionKey;
  /** The session as it was when the lease was taken. */
  readonly session: Session;
  /** History loaded inside the lease. */
  readonly history: Message[];
  /** The lease as currently renewed. */
  readonly lease: HeldLease;
  /** Aborts with `LockExpiredError` if the lease is lost, or with the caller's reason. */
  readonly signal: AbortSignal;
  /** Appends under the lease; rejected with `LockExpiredError` once it is lost. */
  append(messages: MessageInput | MessageInput[]): Promise<Message[]>;
  /** Deletes the messages after `afterSeq` under the lease, e.g. to take back a turn that failed half-way. */
  truncate(afterSeq: number): Promise<number>;
  /** Patches state under the lease (JSON Merge Patch). */
  setState(patch: JsonObject): Promise<JsonObject>;
}

/** A lease request with every default applied and every value checked. */
export interface LeaseRequest {
  ttlMs: number;
  owner: string;
  waitMs: number;
  signal: AbortSignal | undefined;
}

/**
 * Takes the session's lease; while another unexpired one exists, retries with jittered
 * exponential backoff until `waitMs` has passed, then fails with `LockHeldError`.
 */
export async function acquireLease(engine: Engine, key: SessionKey, { ttlMs, owner, waitMs, signal }: LeaseRequest): Promise<HeldLease> {
  const giveUpAt = performance.now() + waitMs;
  let backoffMs = 10;
  for (;;) {
    signal?.throwIfAborted();
    const requestedAt = performance.now();
    const grant = await engine.acquireLease(key, { owner, ttlMs });
    if (grant.acquired) return holdLease(grant.lease, ttlMs, requestedAt);
    const remaining = giveUpAt - performance.now();
    if (remaining <= 0) throw new LockHeldError(key, grant.holder, grant.expiresAt);
    await sleep(Math.min(remaining, backoffMs * (0.5 + Math.random())), signal);
    backoffMs = Math.min(backoffMs * 2, 250);
  }
}

/** The lease extended by its TTL, or null when the store says it was lost. */
export async function renewOrNull(engine: Engine, lease: HeldLease, ttlMs: number): Promise<HeldLease | null> {
  const requestedAt = performance.now();
  const renewed = await engine.renewLease(lease, { ttlMs });
  return renewed ? renewedLease(lease, renewed, requestedAt) : null;
}

/** What a run needs from its manager: its engine and heartbeat, and the writes a run context forwards. */
export type RunManager = Pick<SessionManager, 'engine' | 'heartbeatMs' | 'append' | 'setState' | 'truncate'>;

export interface LeaseRunOptions {
  history: { last?: number } | false;
  signal: AbortSignal | undefined;
  renew(lease: HeldLease): Promise<HeldLease | null>;
  readLive(key: SessionKey, rangeOf: RangeOf): Promise<{ session: Session; messages: Message[] }>;
}

/**
 * Runs `fn` under a lease already taken: renews it every heartbeat (at least three times per
 * TTL), loads the history inside it, hands `fn` writes bound to it and a signal that aborts if it
 * is lost, and releases it however `fn` ends.
 */
export async function runUnderLease<T>(
  manager: RunManager,
  key: SessionKey,
  lease: HeldLease,
  fn: (context: RunContext) => Promise<T> | T,
  { history, signal, renew, readLive }: LeaseRunOptions,
): Promise<T> {
  const keeper = new LeaseKeeper(lease, {
    heartbeatMs: Math.max(1, Math.min(manager.heartbeatMs, Math.floor(lease.ttlMs / 3))),
    renew,
    ...(signal ? { signal } : {}),
  });
  try {
    const { session, messages } = await readLive(key, () => (history === false ? false : { last: history.last }));
    keeper.throwIfLost();
    const fenced = () => {
      keeper.throwIfLost();
      return { lease: keeper.lease };
    };
    const context: RunContext = {
      key,
      session,
      history: messages,
      get lease() {
        return keeper.lease;
      },
      signal: keeper.signal,
      append: async (input) => manager.append(key, input, fenced()),
      setState: async (patch) => manager.setState(key, patch, fenced()),
      truncate: async (afterSeq) => manager.truncate(key, { afterSeq }, fenced()),
    };
    return await fn(context);
  } catch (error) {
    throw keeper.lostError && !(error instanceof LockExpiredError) ? keeper.lostError : error;
  } finally {
    keeper.stop();
    // A failed release is harmless: the lease lapses at its TTL and its token is never reused.
    await manager.engine.releaseLease(keeper.lease).catch(() => undefined);
  }
}
