/**
 * A file of the store holds something the engine did not write: a line that is not a
 * message, a session file that is not a session. Nothing is guessed or skipped: the engine
 * reports it (wrapped in a `StorageError`) and the file is left as it is for a person to fix.
 */
export class CorruptFileError extends Error {
  readonly file: string;
  /** 1-based line number for JSON Lines files. */
  readonly line: number | undefined;

  constructor(file: string, problem: string, options: { line?: number; cause?: unknown } = {}) {
    const where = options.line === undefined ? file : `${file} line ${options.line}`;
    super(`${where} ${problem}; the file was left untouched, fix or remove it by hand`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CorruptFileError';
    this.file = file;
    this.line = options.line;
  }
}

/** Waiting for another process's lock took longer than `lockTimeoutMs`. */
export class LockTimeoutError extends Error {
  readonly file: string;

  constructor(file: string, waitedMs: number, holder: string) {
    super(
      `timed out after ${waitedMs} ms waiting for the lock ${file} (${holder}); ` +
        'a live process on this host keeps its lock however long it stalls (end it if it hangs); the lock of a process ' +
        'that is gone is removed at once, or, where that cannot be checked (another host), once it is older than lockStaleMs',
    );
    this.name = 'LockTimeoutError';
    this.file = file;
  }
}

/**
 * This process's lock on a session was taken over (it stalled past `lockStaleMs` where its
 * liveness could not be checked: another host, or no `/proc`) before its write committed.
 * Nothing it wrote counts; for a write under a lease the engine reports `LockExpiredError`.
 */
export class LockLostError extends Error {
  readonly file: string;

  constructor(file: string) {
    super(
      `the lock ${file} was taken over by another process while this one was stalled; ` +
        'this write did not commit (nothing of it counts): read the session again and retry',
    );
    this.name = 'LockLostError';
    this.file = file;
  }
}
