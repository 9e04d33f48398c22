import { ServerTimeoutError, type TimeoutOutcome } from './server-timeout-error.js';

/** A server engine's time limits, and how to name its server in an error. */
export interface ServerLimits {
  readonly queryTimeoutMs: number;
  readonly acquireTimeoutMs: number;
  /** "the ... server at host:port": never a URL, so never a password. */
  readonly server: string;
}

/**
 * Settles as `work` does, or rejects with the error `expire()` returns once `ms` have passed.
 * `work` keeps running after expiry (the caller decides what to do with it); its late outcome
 * is ignored, never unhandled. (One timer and one promise: this wraps every statement.)
 */
export function withDeadline<T>(work: Promise<T>, ms: number, expire: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(expire()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Bounds how long a call waits to check a connection out: `acquireTimeoutMs`, or until the
 * engine closes (a driver's pool may leave its waiters queued after it ended).
 */
export class Checkouts {
  readonly #limits: ServerLimits;
  /** How to make each waiting call give up. */
  readonly #waiters = new Set<(reason: Error) => void>();
  #closed: Error | undefined;

  constructor(limits: ServerLimits) {
    this.#limits = limits;
  }

  /** Fails every call still waiting for a connection, and any later one. */
  close(): void {
    this.#closed ??= new Error('the engine was closed while this call waited for a connection');
    for (const giveUp of this.#waiters) giveUp(this.#closed);
  }

  /** The connection `checkout` gives; one that arrives after the caller gave up goes straight back through `giveBack`. */
  wait<C>(checkout: Promise<C>, giveBack: (late: C) => void): Promise<C> {
    const { acquireTimeoutMs, server } = this.#limits;
    return new Promise<C>((resolve, reject) => {
      let waiting = true;
      const settle = () => {
        waiting = false;
        clearTimeout(timer);
        this.#waiters.delete(giveUp);
      };
      const giveUp = (reason: Error) => {
        if (!waiting) return;
        settle();
        reject(reason);
      };
      const timer = setTimeout(
        () =>
          giveUp(
            new ServerTimeoutError(
              `no connection to ${server} became free within ${acquireTimeoutMs} ms (every connection is busy, or the server does not answer)`,
              'read',
            ),
          ),
        acquireTimeoutMs,
      );
      this.#waiters.add(giveUp);
      checkout.then((connection) => {
        if (!waiting) return giveBack(connection);
        settle();
        resolve(connection);
      }, giveUp);
      if (this.#closed) giveUp(this.#closed);
    });
  }
}

const WRITES = /\b(INSERT|UPDATE|DELETE|REPLACE|MERGE|CREATE|ALTER|DROP|TRUNCATE|CALL|COMMIT)\b/i;

/**
 * Bounds each statement on one checked-out connection by `queryTimeoutMs`. On expiry the
 * connection is destroyed (`destroy`), never handed back: its statement may still be running and
 * the next caller would queue behind it. It follows the transaction the statements open, so the
 * error can say whether the statement that got no answer may have committed.
 */
export class StatementGuard {
  readonly #limits: ServerLimits;
  readonly #destroy: (reason: Error) => void;
  #inTransaction = false;
  /** Set once the connection went back to the pool or was destroyed; it takes no more statements. */
  #done: Error | undefined;

  constructor(limits: ServerLimits, destroy: (reason: Error) => void) {
    this.#limits = limits;
    this.#destroy = destroy;
  }

  async send<T>(sql: string, send: () => Promise<T>): Promise<T> {
    if (this.#done) throw this.#done;
    const outcome = this.#outcomeOf(sql);
    const { queryTimeoutMs, server } = this.#limits;
    const result = await withDeadline(send(), queryTimeoutMs, () => {
      const error = new ServerTimeoutError(`${server} did not answer within ${queryTimeoutMs} ms`, outcome);
      if (this.finish(error)) this.#destroy(error);
      return error;
    });
    this.#track(sql);
    return result;
  }

  /** Marks the connection as done with; false when it already was (release and destroy then do nothing). */
  finish(reason: Error): boolean {
    if (this.#done) return false;
    this.#done = reason;
    return true;
  }

  #outcomeOf(sql: string): TimeoutOutcome {
    if (this.#inTransaction) return /^\s*COMMIT\b/i.test(sql) ? 'maybe-committed' : 'uncommitted';
    return WRITES.test(sql) ? 'maybe-committed' : 'read';
  }

  #track(sql: string): void {
    if (/^\s*(BEGIN|START TRANSACTION)\b/i.test(sql)) this.#inTransaction = true;
    else if (/^\s*(COMMIT|ROLLBACK|END)\b/i.test(sql)) this.#inTransaction = false;
  }
}
