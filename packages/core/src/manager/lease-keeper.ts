import { LockExpiredError } from '../errors.js';
import type { HeldLease } from './held-lease.js';

export interface LeaseKeeperOptions {
  readonly heartbeatMs: number;
  /** Renews the lease; resolves null when the store says it was lost. */
  readonly renew: (lease: HeldLease) => Promise<HeldLease | null>;
  /** The caller's signal: aborting it aborts the keeper's signal too. */
  readonly signal?: AbortSignal;
}

/**
 * Keeps a lease alive for the length of a run: renews it every `heartbeatMs` and aborts
 * `signal` with a `LockExpiredError` as soon as the lease is lost, either because the store
 * refused a renew or because the local monotonic deadline passed with no successful renew
 * (the store may be unreachable, and then the lease must be presumed gone).
 */
export class LeaseKeeper {
  readonly #controller = new AbortController();
  readonly #options: LeaseKeeperOptions;
  #lease: HeldLease;
  #heartbeat: ReturnType<typeof setTimeout> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  readonly #onParentAbort = () => this.#controller.abort(this.#options.signal!.reason);

  constructor(lease: HeldLease, options: LeaseKeeperOptions) {
    this.#lease = lease;
    this.#options = options;
    if (options.signal?.aborted) this.#controller.abort(options.signal.reason);
    options.signal?.addEventListener('abort', this.#onParentAbort, { once: true });
    this.#armDeadline();
    this.#scheduleHeartbeat();
  }

  get lease(): HeldLease {
    return this.#lease;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The error the run failed with because the lease was lost, if it was. */
  get lostError(): LockExpiredError | undefined {
    const reason: unknown = this.#controller.signal.reason;
    return reason instanceof LockExpiredError ? reason : undefined;
  }

  /** Throws if the lease is lost or the caller aborted, before any write is attempted. */
  throwIfLost(): void {
    if (!this.#controller.signal.aborted && performance.now() >= this.#lease.localDeadline) this.#lose('its local deadline passed');
    this.#controller.signal.throwIfAborted();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#heartbeat);
    clearTimeout(this.#deadline);
    this.#options.signal?.removeEventListener('abort', this.#onParentAbort);
  }

  #scheduleHeartbeat(): void {
    if (this.#stopped) return;
    this.#heartbeat = setTimeout(() => void this.#beat(), this.#options.heartbeatMs);
  }

  async #beat(): Promise<void> {
    if (this.#stopped || this.#controller.signal.aborted) return;
    try {
      const renewed = await this.#options.renew(this.#lease);
      if (this.#stopped) return;
      if (!renewed) {
        this.#lose('the store refused to renew it');
        return;
      }
      this.#lease = renewed;
      this.#armDeadline();
    } catch {
      // A failed renew is not yet a lost lease: the deadline timer decides that.
    }
    this.#scheduleHeartbeat();
  }

  #armDeadline(): void {
    clearTimeout(this.#deadline);
    const remaining = Math.max(0, this.#lease.localDeadline - performance.now());
    this.#deadline = setTimeout(() => this.#lose('no renew succeeded before its deadline'), remaining);
  }

  #lose(detail: string): void {
    if (this.#stopped || this.#controller.signal.aborted) return;
    clearTimeout(this.#heartbeat);
    clearTimeout(this.#deadline);
    this.#controller.abort(new LockExpiredError(this.#lease, detail));
  }
}
