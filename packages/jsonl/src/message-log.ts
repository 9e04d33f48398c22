import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MessageExistsError, type Message, type SessionKey } from '@sessions/core';
import { type MessageRange, type NewMessage } from '@sessions/core/engine';
import { CorruptFileError } from './errors.js';
import type { Fence } from './fence.js';
import { fsyncDirectory, isNotFound } from './fs-utils.js';
import { IndexCache } from './index-cache.js';
import { checkLines, endsWithLastEntry, missingLines, readIndexed } from './indexed-read.js';
import { LOG_CHANGED, type LogView } from './log-view.js';
import { writeAfter, writeAll } from './log-writes.js';
import { extendIndex, MessageIndex } from './message-index.js';
import { decodeMessageLine, encodeMessageLine } from './records.js';
import { readTail } from './tail-read.js';

export interface MessageLogOptions {
  readonly fsync: boolean;
  /** How many sessions' indexes to keep in memory. */
  readonly cacheSize: number;
}

/**
 * The messages files: one JSON object per line, appended, never rewritten in place.
 * Readers need no lock (see `LogView` for which lines count); writers hold the session's
 * lock file. Indexes of recently used files stay in memory (LRU).
 */
export class MessageLog {
  readonly #options: MessageLogOptions;
  readonly #cache: IndexCache;

  constructor(options: MessageLogOptions) {
    this.#options = Object.freeze({ ...options });
    this.#cache = new IndexCache(options.cacheSize);
  }

  /** The committed messages in `range`, ascending; `LOG_CHANGED` if the file was replaced or removed since the view was read. */
  async read(file: string, key: SessionKey, view: LogView, range: MessageRange): Promise<Message[] | typeof LOG_CHANGED> {
    if (view.messageCount === 0) return [];
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isNotFound(error)) return LOG_CHANGED;
      throw error;
    }
    try {
      const stats = await handle.stat({ bigint: true });
      const cached = this.#cache.get(file, view.id, stats);
      if (cached) {
        try {
          return await readIndexed(handle, file, key, cached, view, range);
        } catch (error) {
          if (!(error instanceof CorruptFileError)) throw error;
          // The cached index may describe an earlier file whose inode number this one reuses
          // (a clear, then an append, while this reader held an old view): only a scan of
          // this very file can tell that from damage.
          this.#cache.drop(file, cached);
        }
      } else if (range.last !== undefined) {
        const tail = await readTail(handle, Number(stats.size), key, view, { ...range, last: range.last });
        if (tail) return tail;
      }
      return await readIndexed(handle, file, key, this.#cache.fresh(file, view.id, stats), view, range);
    } finally {
      await handle.close();
    }
  }

  /**
   * Appends under the session's lock: checks that every committed line reads (once per index)
   * and the ids, cuts off what a crash or an overtaken writer left past the committed lines,
   * writes every line in one write, checks they landed right after the committed ones, syncs,
   * then calls `commit` to write the session file, which is what makes the lines count. Seqs
   * follow `view.lastSeq`.
   */
  async append(
    file: string,
    key: SessionKey,
    view: LogView,
    messages: readonly NewMessage[],
    fence: Fence,
    commit: (appended: Message[]) => Promise<void>,
  ): Promise<Message[]> {
    const handle = await open(file, 'a+');
    try {
      const stats = await handle.stat({ bigint: true });
      let index = this.#cache.get(file, view.id, stats);
      // Lines are cut at the index's end below: a cached index must be shown to describe this
      // very file first (its inode number may be a reused one), or committed lines could go.
      if (index && !(await endsWithLastEntry(handle, index))) {
        this.#cache.drop(file, index);
        index = undefined;
      }
      index ??= this.#cache.fresh(file, view.id, stats);
      if ((await extendIndex(index, handle, file, view)) === 'short') throw missingLines(file, index, view);
      await checkLines(handle, file, key, index, view);
      for (const message of messages) {
        if (index.ids.has(message.id)) throw new MessageExistsError(key, message.id);
      }
      const start = index.end;
      const lines = messages.map((message, i) => encodeMessageLine({ ...message, seq: view.lastSeq + i + 1 }));
      await writeAfter(handle, file, start, Buffer.from(lines.join(''), 'utf8'), fence, Number(stats.size) > start);
      if (this.#options.fsync) await handle.datasync();
      const appended = lines.map((line) => decodeMessageLine(line.slice(0, -1), key));
      await commit(appended);
      // Index the new lines at once, unless a scan is under way (it finds them itself).
      if (!index.extending && index.end === start && this.#cache.holds(file, index)) {
        const checked = index.checked === index.count;
        let offset = start;
        lines.forEach((line, i) => {
          const length = Buffer.byteLength(line, 'utf8');
          index.add(appended[i]!.seq, appended[i]!.id, offset, offset + length);
          offset += length;
        });
        if (checked) index.checked = index.count;
      }
      return appended;
    } finally {
      await handle.close();
    }
  }

  /** Every committed message, under the session's lock: a mismatch is damage, not a race. */
  async readAllLocked(file: string, key: SessionKey, view: LogView): Promise<Message[]> {
    const messages = await this.read(file, key, view, {});
    if (messages === LOG_CHANGED)
      throw new CorruptFileError(file, `is missing or holds fewer than the ${view.messageCount} committed messages its session file records`);
    return messages;
  }

  /**
   * Writes a whole new messages file for the log id `logId` (temp file, fsync, rename, fsync of
   * the folder), or removes the file when there are no messages. Readers see the old file or
   * the new one, never a mix. The caller commits the session file with `logId` first.
   */
  async replace(file: string, logId: string, messages: readonly Message[], fence: Fence): Promise<void> {
    if (messages.length === 0) {
      await this.remove(file, fence);
      return;
    }
    const lines = messages.map(encodeMessageLine);
    let stats!: { dev: bigint; ino: bigint };
    await fence.replaceWith(file, async (temp) => {
      const handle = await open(temp, 'wx');
      try {
        await writeAll(handle, Buffer.from(lines.join(''), 'utf8'));
        if (this.#options.fsync) await handle.sync();
        stats = await handle.stat({ bigint: true });
      } finally {
        await handle.close();
      }
    });
    // Until the folder is synced a power cut can bring the old file back after the call returned.
    if (this.#options.fsync) await fsyncDirectory(dirname(file));
    const index = new MessageIndex(logId, stats.dev, stats.ino);
    let offset = 0;
    lines.forEach((line, i) => {
      const length = Buffer.byteLength(line, 'utf8');
      index.add(messages[i]!.seq, messages[i]!.id, offset, offset + length);
      offset += length;
    });
    index.checked = index.count;
    this.#cache.store(file, index);
  }

  async remove(file: string, fence: Fence): Promise<void> {
    this.#cache.delete(file);
    await fence.removeFile(file);
  }

  clear(): void {
    this.#cache.clear();
  }
}
