import { randomBytes } from 'node:crypto';
import { link, rename, stat, truncate, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LockLostError } from './errors.js';
import { isNotFound, removeFile, writeFileAtomic, type WriteOptions } from './fs-utils.js';

/**
 * What makes a write of a lock holder count only while it still holds the lock.
 *
 * A lock is a directory `<session>.lock` holding one folder named after the holder's random
 * token: the fence (with the owner record in it). Every change to a session file that others rely on
 * goes through a path inside the fence: a replacement is a temporary file created there and
 * renamed into place, a removal renames the file into the fence first, a truncation goes
 * through a hard link made there. Breaking a lock renames the whole `<session>.lock` aside,
 * in one atomic step, and tokens are never reused, so from that moment no path through the
 * old holder's fence resolves: each of its changes either happened before the break (and the
 * new holder, which reads the session after taking the lock, sees it) or fails with
 * `LockLostError`. There is no window between a check and the write it guards; the file
 * system's path lookup is the check.
 *
 * The one thing not fenced is appending bytes to the messages file (an open descriptor writes
 * wherever the file is): those bytes only count once the session file, renamed through the
 * fence, says so. Until then they sit past the committed lines, where readers skip them.
 */
export class Fence {
  /** The fence folder, `<session>.lock/<token>`. */
  readonly dir: string;
  /** The lock folder it lives in, for messages. */
  readonly #lock: string;

  constructor(lock: string, token: string) {
    this.#lock = lock;
    this.dir = join(lock, token);
  }

  /** Replaces `file` with `data` atomically (temporary file in the fence, fsync, rename, fsync of the folder). */
  async writeFile(file: string, data: string | Uint8Array, options: WriteOptions): Promise<void> {
    await this.#guard(() => writeFileAtomic(file, data, options, this.#tempFor(file)));
  }

  /** A new temporary file in the fence for `file`, created by `write`, then renamed over `file`. */
  async replaceWith(file: string, write: (temp: string) => Promise<void>): Promise<void> {
    const temp = this.#tempFor(file);
    await this.#guard(async () => {
      try {
        await write(temp);
        await rename(temp, file);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
    });
  }

  /** Removes `file`; true if it was there. */
  async removeFile(file: string): Promise<boolean> {
    const temp = this.#tempFor(file);
    try {
      await rename(file, temp);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.check();
      return false;
    }
    await removeFile(temp);
    return true;
  }

  /**
   * Cuts `file` to `length` bytes. Through a hard link in the fence: `truncate(2)` on that
   * path fails once the lock was broken, where a truncation through an open descriptor would
   * cut whatever the new holder appended since.
   */
  async truncate(file: string, length: number): Promise<void> {
    const linked = this.#tempFor(file);
    await this.#guard(async () => {
      try {
        await link(file, linked);
      } catch (error) {
        if (!isUnsupported(error)) throw error;
        // A file system without hard links (FAT, some network shares): checked just before, not atomically.
        await this.check();
        await truncate(file, length);
        return;
      }
      try {
        await truncate(linked, length);
      } finally {
        await unlink(linked).catch(() => undefined);
      }
    });
  }

  /** Throws `LockLostError` when the lock was broken; cheap (one `stat`), to avoid work that cannot commit. */
  async check(): Promise<void> {
    try {
      await stat(this.dir);
    } catch (error) {
      if (isNotFound(error)) throw new LockLostError(this.#lock);
      throw error;
    }
  }

  /** Runs a fenced change; a missing path is a lost lock when the fence is gone. */
  async #guard(change: () => Promise<void>): Promise<void> {
    try {
      await change();
    } catch (error) {
      if (isNotFound(error)) await this.check();
      throw error;
    }
  }

  #tempFor(file: string): string {
    return join(this.dir, `${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  }
}

function isUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS';
}
