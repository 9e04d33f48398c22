import { sleep } from '@sessions/core/engine';

/** Waits between retries grow from this ... */
const FIRST_BACKOFF_MS = 1;
/** ... to at most this, each jittered to between half and one and a half times itself. */
const MAX_BACKOFF_MS = 50;

/** True for SQLite's "another connection holds the lock" errors, which are worth retrying. */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Thrown when the database stayed locked for longer than `retryTimeoutMs`; the last SQLITE_BUSY is its cause. */
export class BusyTimeoutError extends Error {
  readonly code = 'SQLITE_BUSY_TIMEOUT';
  constructor(waitedMs: number, cause: unknown) {
    super(
      `the database stayed locked by another connection for ${Math.round(waitedMs)} ms (${(cause as { code?: string }).code ?? 'SQLITE_BUSY'}): ` +
        'find the long-running transaction, or raise retryTimeoutMs',
      { cause },
    );
    this.name = 'BusyTimeoutError';
  }
}

/**
 * Runs `attempt` (one synchronous statement or transaction) and, while it fails with
 * SQLITE_BUSY or SQLITE_LOCKED, runs it again after a jittered, growing pause.
 *
 * better-sqlite3 is synchronous: a long `busy_timeout` would block the whole event loop,
 * heartbeats of this process's own leases included. So the driver waits only a few
 * milliseconds and the real waiting happens here, between event-loop turns. A failed
 * attempt has rolled back completely, so running it again is safe.
 */
export async function retryWhileBusy<T>(attempt: () => T, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  let started: number | undefined;
  let backoffMs = FIRST_BACKOFF_MS;
  for (;;) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusyError(error)) throw error;
      started ??= performance.now();
      const waited = performance.now() - started;
      if (waited >= timeoutMs) throw new BusyTimeoutError(waited, error);
      await sleep(Math.min(timeoutMs - waited, backoffMs * (0.5 + Math.random())), signal);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  }
}
