/** What a statement that got no answer may have done on the server. */
export type TimeoutOutcome = 'read' | 'uncommitted' | 'maybe-committed';

const CONSEQUENCE: Record<TimeoutOutcome, string> = {
  read: 'nothing was written',
  uncommitted: 'its transaction was not committed',
  'maybe-committed': 'the write may or may not have been committed: read before retrying, or retry with the same message ids',
};

/**
 * A database server that did not answer in time. The engine wraps it in core's `StorageError`;
 * its message names the server by host and port only, never by URL, so no password is printed.
 */
export class ServerTimeoutError extends Error {
  override readonly name = 'ServerTimeoutError';
  readonly code = 'ETIMEDOUT';
  /** Like a driver's fatal errors: the connection it happened on is gone, nothing more is sent on it. */
  readonly fatal = true;
  readonly outcome: TimeoutOutcome;

  constructor(what: string, outcome: TimeoutOutcome) {
    super(`${what}; the connection was closed and ${CONSEQUENCE[outcome]}`);
    this.outcome = outcome;
  }
}
