import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { MessageExistsError, type Message, type MessageRange, type NewMessage, type SessionKey } from '@sessions/core';
import { CorruptFileError } from './errors.js';
import { isNotFound, removeFile, tempNameFor } from './fs-utils.js';
import type { LogView } from './log-view.js';
import { extendIndex, MessageIndex } from './message-index.js';
import { decodeMessageLine, encodeMessageLine, RecordShapeError } from './records.js';
import { readTail } from './tail-read.js';

/** Returned by `read` when the file no longer matches the view: re-read the session file and try again. */
export const LOG_CHANGED = Symbol('messages file changed');

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
  readonly #cache = new Map<string, MessageIndex>();

  constructor(options: MessageLogOptions) {
    this.#options = Object.freeze({ ...options });
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
      let index = this.#cached(file, view.id, stats);
      if (!index && range.last !== undefined) {
        const tail = await readTail(handle, Number(stats.size), key, view, { ...range, last: range.last });
        if (tail) return tail;
      }
      index ??= this.#fresh(file, view.id, stats);
      if ((await extendIndex(index, handle, file, view)) === 'short') return LOG_CHANGED;
      return await readEntries(handle, file, key, index, view, range);
    } finally {
      await handle.close();
    }
  }

  /**
   * Appends under the session's lock: checks ids, cuts off what a crash left past the
   * committed lines, writes every line in one write, syncs, then calls `commit` to write the
   * session file, which is what makes the lines count. Seqs follow `view.lastSeq`.
   */
  async append(file: string, key: SessionKey, view: LogView, messages: readonly NewMessage[], commit: (appended: Message[]) => Promise<void>): Promise<Message[]> {
    const handle = await open(file, 'a+');
    try {
      const stats = await handle.stat({ bigint: true });
      const index = this.#cached(file, view.id, stats) ?? this.#fresh(file, view.id, stats);
      if ((await extendIndex(index, handle, file, view)) === 'short') throw missingLines(file, index, view);
      for (const message of messages) {
        if (index.ids.has(message.id)) throw new MessageExistsError(key, message.id);
      }
      const start = index.end;
      if (Number(stats.size) > start) await handle.truncate(start);
      const lines = messages.map((message, i) => encodeMessageLine({ ...message, seq: view.lastSeq + i + 1 }));
      await writeAll(handle, Buffer.from(lines.join(''), 'utf8'));
      if (this.#options.fsync) await handle.datasync();
      const appended = lines.map((line) => decodeMessageLine(line.slice(0, -1), key));
      await commit(appended);
      // Index the new lines at once, unless a scan is under way (it finds them itself).
      if (!index.extending && index.end === start && this.#cache.get(file) === index) {
        let offset = start;
        lines.forEach((line, i) => {
          const length = Buffer.byteLength(line, 'utf8');
          index.add(appended[i]!.seq, appended[i]!.id, offset, offset + length);
          offset += length;
        });
      }
      return appended;
    } finally {
      await handle.close();
    }
  }

  /** Every committed message, under the session's lock: a mismatch is damage, not a race. */
  async readAllLocked(file: string, key: SessionKey, view: LogView): Promise<Message[]> {
    const messages = await this.read(file, key, view, {});
    if (messages === LOG_CHANGED) throw new CorruptFileError(file, `is missing or holds fewer than the ${view.messageCount} committed messages its session file records`);
    return messages;
  }

  /**
   * Writes a whole new messages file (temp file, fsync, rename) for the log id `logId`, or
   * removes the file when there are no messages. The caller commits the session file.
   */
  async replace(file: string, logId: string, messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) {
      await this.remove(file);
      return;
    }
    const lines = messages.map(encodeMessageLine);
    const temp = tempNameFor(file);
    let stats;
    try {
      const handle = await open(temp, 'wx');
      try {
        await writeAll(handle, Buffer.from(lines.join(''), 'utf8'));
        if (this.#options.fsync) await handle.sync();
        stats = await handle.stat({ bigint: true });
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    const index = new MessageIndex(logId, stats.dev, stats.ino);
    let offset = 0;
    lines.forEach((line, i) => {
      const length = Buffer.byteLength(line, 'utf8');
      index.add(messages[i]!.seq, messages[i]!.id, offset, offset + length);
      offset += length;
    });
    this.#store(file, index);
  }

  async remove(file: string): Promise<void> {
    this.#cache.delete(file);
    await removeFile(file);
  }

  clear(): void {
    this.#cache.clear();
  }

  #cached(file: string, logId: string, stats: { dev: bigint; ino: bigint; size: bigint }): MessageIndex | undefined {
    const index = this.#cache.get(file);
    // A shorter file than indexed means committed lines were cut: a fresh scan reports it.
    if (!index || index.logId !== logId || index.dev !== stats.dev || index.ino !== stats.ino || BigInt(index.end) > stats.size) return undefined;
    this.#cache.delete(file);
    this.#cache.set(file, index);
    return index;
  }

  #fresh(file: string, logId: string, stats: { dev: bigint; ino: bigint }): MessageIndex {
    const index = new MessageIndex(logId, stats.dev, stats.ino);
    this.#store(file, index);
    return index;
  }

  #store(file: string, index: MessageIndex): void {
    this.#cache.delete(file);
    this.#cache.set(file, index);
    while (this.#cache.size > this.#options.cacheSize) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
    }
  }
}

async function readEntries(handle: FileHandle, file: string, key: SessionKey, index: MessageIndex, view: LogView, range: MessageRange): Promise<Message[]> {
  let from = index.firstAbove(range.afterSeq ?? 0);
  let to = index.firstAbove(Math.min((range.beforeSeq ?? Number.POSITIVE_INFINITY) - 1, view.lastSeq));
  if (range.last !== undefined) from = Math.max(from, to - range.last);
  else if (range.limit !== undefined) to = Math.min(to, from + range.limit);
  if (from >= to) return [];
  const start = index.starts[from]!;
  const end = index.endOf(to - 1);
  const lineNumbers = index.lines.slice(from, to);
  const buffer = Buffer.allocUnsafe(end - start);
  let read = 0;
  while (read < buffer.length) {
    const { bytesRead } = await handle.read(buffer, read, buffer.length - read, start + read);
    if (bytesRead === 0) throw new CorruptFileError(file, `ends before the committed messages its index recorded (byte ${start + read})`);
    read += bytesRead;
  }
  const messages: Message[] = [];
  let lineStart = 0;
  for (let i = 0; i < lineNumbers.length; i++) {
    const newline = buffer.indexOf(0x0a, lineStart);
    const line = buffer.toString('utf8', lineStart, newline === -1 ? buffer.length : newline);
    try {
      messages.push(decodeMessageLine(line, key));
    } catch (error) {
      if (!(error instanceof RecordShapeError)) throw error;
      throw new CorruptFileError(file, error.message, { line: lineNumbers[i]!, cause: error });
    }
    lineStart = newline + 1;
  }
  return messages;
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
    written += bytesWritten;
  }
}

function missingLines(file: string, index: MessageIndex, view: LogView): CorruptFileError {
  return new CorruptFileError(
    file,
    `holds ${index.count} committed messages where its session file records ${view.messageCount} (up to seq ${view.lastSeq}): lines were lost or edited`,
  );
}
