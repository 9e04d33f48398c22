import { Checkouts, StatementGuard, type ServerLimits } from '@sessions/core/engine';
import type { PgPool, PgPoolClient, PgQueryConfig, PgQueryResult } from './pg-client.js';
import { leavesConnectionUsable } from './pg-errors.js';

/**
 * A pool whose every wait is bounded: checking a connection out (`acquireTimeoutMs`) and each
 * statement (`queryTimeoutMs`); a connection whose statement timed out is destroyed. pg's own
 * `query_timeout` rejects the call but leaves the client checked out and busy, which is why the
 * engine bounds the wait itself; this also works for pools the engine did not create. Statements
 * sent on the pool itself go through a checked-out connection, so they get the same treatment.
 */
export class BoundedPool implements PgPool {
  readonly #inner: PgPool;
  readonly #limits: ServerLimits;
  readonly #checkouts: Checkouts;

  constructor(inner: PgPool, limits: ServerLimits) {
    this.#inner = inner;
    this.#limits = limits;
    this.#checkouts = new Checkouts(limits);
  }

  /** Fails every call still waiting for a connection, and any later one (pg's pool keeps waiters queued after `end()`). */
  close(): void {
    this.#checkouts.close();
  }

  async query(config: PgQueryConfig): Promise<PgQueryResult> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await client.query(config);
    } catch (error) {
      // As pg's pool.query does, but keeping connections a statement error leaves healthy.
      if (!leavesConnectionUsable(error)) broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async connect(): Promise<PgPoolClient> {
    const client = await this.#checkouts.wait(this.#inner.connect(), (late) => late.release());
    return new BoundedClient(client, this.#limits);
  }

  end(): Promise<void> {
    return this.#inner.end();
  }
}

class BoundedClient implements PgPoolClient {
  readonly #inner: PgPoolClient;
  // pg destroys a client released with an error, and ends a busy one by destroying its socket.
  readonly #guard: StatementGuard;

  // pg's pool listens for errors only on idle clients. A checked-out client whose socket fails
  // outside a statement (a reset connection's second error, from the write side) would emit an
  // 'error' nobody hears and crash the process; the statement that needed it fails on its own.
  readonly #ignoreSocketError = (): void => undefined;

  constructor(inner: PgPoolClient, limits: ServerLimits) {
    this.#inner = inner;
    this.#guard = new StatementGuard(limits, (reason) => inner.release(reason));
    inner.on?.('error', this.#ignoreSocketError);
  }

  query(config: PgQueryConfig): Promise<PgQueryResult> {
    return this.#guard.send(config.text, () => this.#inner.query(config));
  }

  release(destroy?: Error | boolean): void {
    if (!this.#guard.finish(new Error('the connection was already returned to the pool'))) return;
    // A client going back to the pool gets the pool's idle listener; one being destroyed keeps ours for its last errors.
    if (!destroy) this.#inner.removeListener?.('error', this.#ignoreSocketError);
    this.#inner.release(destroy);
  }
}
