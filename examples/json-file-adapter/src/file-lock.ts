import { randomUUID } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A holder that died leaves its lock file behind; after this long it is taken over. */
const STALE_AFTER_MS = 10_000;
const GIVE_UP_AFTER_MS = 30_000;

/**
 * A lock shared by every process on the machine: the lock file `store.lock` is created with
 * `wx` (exclusive create, atomic in the file system), so exactly one creator wins; the others
 * retry until it is removed. Calls in one process queue up in front of it first, so they do not
 * poll the file system against each other.
 */
export class FileLock {
  readonly #path: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    this.#path = join(dir, 'store.lock');
  }

  /** Runs `critical` while holding the lock, and releases it in every outcome. */
  withLock<T>(critical: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const id = await this.#acquire();
      try {
        return await critical();
      } finally {
        await this.#release(id);
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #acquire(): Promise<string> {
    const id = `${process.pid}:${randomUUID()}`;
    const deadline = Date.now() + GIVE_UP_AFTER_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(this.#path, 'wx');
        await handle.writeFile(id);
        await handle.close();
        return id;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (await this.#isStale()) await rm(this.#path, { force: true });
      if (Date.now() > deadline) throw new Error(`could not lock ${this.#path} within ${GIVE_UP_AFTER_MS} ms`);
      await sleep(Math.min(1 + attempt, 20) * Math.random());
    }
  }

  async #isStale(): Promise<boolean> {
    try {
      return Date.now() - (await stat(this.#path)).mtimeMs > STALE_AFTER_MS;
    } catch {
      return false;
    }
  }

  /** Removes the lock file only if it is still ours (a stale takeover may have replaced it). */
  async #release(id: string): Promise<void> {
    const current = await readFile(this.#path, 'utf8').catch(() => undefined);
    if (current === id) await rm(this.#path, { force: true });
  }
}
