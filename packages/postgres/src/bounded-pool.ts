import { withDeadline } from './deadline.js';
import type { PgPool, PgPoolClient, PgQueryConfig, PgQueryResult } from './pg-client.js';
import { ServerTimeoutError, type Outcome } from './server-timeout-error.js';

export interface Limits {
  readonly queryTimeoutMs: number;
  readonly acquireTimeoutMs: number;
  /** "the PostgreSQL server at host:port". */
  readonly server: string;
}

const WRITES = /\b(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|CALL|COMMIT)\b/i;

/**
 * A pool whose every wait is bounded: checking a connection out (`acquireTimeoutMs`) and each
 * statement (`queryTimeoutMs`). A connection whose statement timed out is destroyed, never handed
 * back to the pool: its statement may still be running, and the next caller would queue behind it.
 * (pg's own `query_timeout` rejects the call but leaves the client checked out and busy, which is
 * why the engine bounds the wait itself; it also works for pools the engine did not create.)
 * Statements sent on the pool itself go through a checked-out connection, so they get the same
 * treatment.
 */
export class BoundedPool implements PgPool {
  readonly #inner: PgPool;
  readonly #limits: Limits;
  readonly #closed: Promise<never>;
  #close!: (reason: Error) => void;

  constructor(inner: PgPool, limits: Limits) {
    this.#inner = inner;
    this.#limits = limits;
    this.#closed = new Promise<never>((_, reject) => (this.#close = reject));
    this.#closed.catch(() => undefined);
  }

  /**
   * Fails every call still waiting for a connection, and any later one. pg's pool leaves its
   * waiters queued after `end()` until their connect timeout: close() must not wait for that.
   */
  close(): void {
    this.#close(new Error('the engine was closed while this call waited for a connection'));
  }

  async query(config: PgQueryConfig): Promise<PgQueryResult> {
    const client = await this.connect();
    try {
      return await client.query(config);
    } finally {
      client.release();
    }
  }

  async connect(): Promise<PgPoolClient> {
    const { acquireTimeoutMs, server } = this.#limits;
    const checkout = this.#inner.connect();
    let settled = false;
    checkout.then(
      () => (settled = true),
      () => (settled = true),
    );
    try {
      const waiting = withDeadline(checkout, acquireTimeoutMs, () => {
        return new ServerTimeoutError(`no connection to ${server} became free within ${acquireTimeoutMs} ms (every connection is busy, or the server does not answer)`, 'read');
      });
      return new BoundedClient(await Promise.race([waiting, this.#closed]), this.#limits);
    } catch (error) {
      // Given up before the pool answered: it may still hand the connection out later, so give it straight back.
      if (!settled) checkout.then((late) => late.release(), () => undefined);
      throw error;
    }
  }

  end(): Promise<void> {
    return this.#inner.end();
  }
}

class BoundedClient implements PgPoolClient {
  readonly #inner: PgPoolClient;
  readonly #limits: Limits;
  #inTransaction = false;
  /** Set once the connection went back to the pool or was destroyed; it takes no more statements. */
  #done: Error | undefined;

  constructor(inner: PgPoolClient, limits: Limits) {
    this.#inner = inner;
    this.#limits = limits;
  }

  async query(config: PgQueryConfig): Promise<PgQueryResult> {
    if (this.#done) throw this.#done;
    const outcome = this.#outcomeOf(config.text);
    const { queryTimeoutMs, server } = this.#limits;
    const result = await withDeadline(this.#inner.query(config), queryTimeoutMs, () => {
      const error = new ServerTimeoutError(`${server} did not answer within ${queryTimeoutMs} ms`, outcome);
      this.#finish(error, error);
      return error;
    });
    this.#track(config.text);
    return result;
  }

  release(destroy?: Error | boolean): void {
    this.#finish(new Error('the connection was already returned to the pool'), destroy);
  }

  #finish(reason: Error, destroy: Error | boolean | undefined): void {
    if (this.#done) return;
    this.#done = reason;
    // pg destroys a client released with an error, and ends a busy one by destroying its socket.
    this.#inner.release(destroy);
  }

  #outcomeOf(text: string): Outcome {
    if (this.#inTransaction) return /^\s*COMMIT\b/i.test(text) ? 'maybe-committed' : 'uncommitted';
    return WRITES.test(text) ? 'maybe-committed' : 'read';
  }

  #track(text: string): void {
    if (/^\s*(BEGIN|START TRANSACTION)\b/i.test(text)) this.#inTransaction = true;
    else if (/^\s*(COMMIT|ROLLBACK|END)\b/i.test(text)) this.#inTransaction = false;
  }
}
