import type { PgPool, PgPoolClient, PgQueryConfig, PgQueryResult } from '../../src/index.js';

/** Wraps a pool and records every statement sent through it or its checked-out clients. */
export class CountingPool implements PgPool {
  readonly sent: PgQueryConfig[] = [];
  readonly #inner: PgPool;

  constructor(inner: PgPool) {
    this.#inner = inner;
  }

  query(config: PgQueryConfig): Promise<PgQueryResult> {
    this.sent.push(config);
    return this.#inner.query(config);
  }

  async connect(): Promise<PgPoolClient> {
    const client = await this.#inner.connect();
    return {
      query: (config: PgQueryConfig) => {
        this.sent.push(config);
        return client.query(config);
      },
      release: (destroy?: Error | boolean) => client.release(destroy),
    };
  }

  end(): Promise<void> {
    return this.#inner.end();
  }

  /** How many statements `body` sent. */
  async count(body: () => Promise<unknown>): Promise<number> {
    const before = this.sent.length;
    await body();
    return this.sent.length - before;
  }
}
