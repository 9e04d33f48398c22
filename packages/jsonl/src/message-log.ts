import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MessageExistsError, type Message, type SessionKey } from '@sessions/core';
import { type MessageRange, type NewMessage } from '@sessions/core/engine';
import { CorruptFileError } from './errors.js';
import type { Fence } from './fence.js';
import { fsyncDirectory, isNotFound } from './fs-utils.js';
import type { LogView } from './log-view.js';
import { extendIndex, headOf, MessageIndex } from './message-index.js';
import { decodeMessageLine, encodeMessageLine, RecordShapeError } from './records.js';
import { readTail } from './tail-read.js';

/** Returned by `read` when the file no longer matches the view: re-read the session file and try again. */
export const LOG_CHANGED = Symbol('messages file changed');

const NEWLINE = 0x0a;

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
      const cached = this.#cached(file, view.id, stats);
      if (cached) {
        try {
          return await readIndexed(handle, file, key, cached, view, range);
        } catch (error) {
          if (!(error instanceof CorruptFileError)) throw error;
          // The cached index may describe an earlier file whose inode number this one reuses
          // (a clear, then an append, while this reader held an old view): only a scan of
          // this very file can tell that from damage.
          this.#drop(file, cached);
        }
      } else if (range.last !== undefined) {
        const tail = await readTail(handle, Number(stats.size), key, view, { ...range, last: range.last });
        if (tail) return tail;
      }
      return await readIndexed(handle, file, key, this.#fresh(file, view.id, stats), view, range);
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
  async append(file: string, key: SessionKey, view: LogView, messages: readonly NewMessage[], fence: Fence, commit: (appended: Message[]) => Promise<void>): Promise<Message[]> {
    const handle = await open(file, 'a+');
    try {
      const stats = await handle.stat({ bigint: true });
      let index = this.#cached(file, view.id, stats);
      // Lines are cut at the index's end below: a cached index must be shown to describe this
      // very file first (its inode number may be a reused one), or committed lines could go.
      if (index && !(await endsWithLastEntry(handle, index))) {
        this.#drop(file, index);
        index = undefined;
      }
      index ??= this.#fresh(file, view.id, stats);
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
      if (!index.extending && index.end === start && this.#cache.get(file) === index) {
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
    if (messages === LOG_CHANGED) throw new CorruptFileError(file, `is missing or holds fewer than the ${view.messageCount} committed messages its session file records`);
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
    this.#store(file, index);
  }

  async remove(file: string, fence: Fence): Promise<void> {
    this.#cache.delete(file);
    await fence.removeFile(file);
  }

  clear(): void {
    this.#cache.clear();
  }

  #cached(file: string, logId: string, stats: { dev: bigint; ino: bigint; size: bigint }): MessageIndex | undefined {
    const index = this.#cache.get(file);
    // A shorter file than indexed means committed lines were cut: a fresh scan reports it. The
    // rest only narrows things down: a freed inode number comes back for the next new file, so
    // the caller still checks the lines it uses against the index.
    if (!index || index.logId !== logId || index.dev !== stats.dev || index.ino !== stats.ino || BigInt(index.end) > stats.size) return undefined;
    this.#cache.delete(file);
    this.#cache.set(file, index);
    return index;
  }

  /** Forgets `index`, unless the cache already holds a newer one for the file. */
  #drop(file: string, index: MessageIndex): void {
    if (this.#cache.get(file) === index) this.#cache.delete(file);
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

async function readIndexed(handle: FileHandle, file: string, key: SessionKey, index: MessageIndex, view: LogView, range: MessageRange): Promise<Message[] | typeof LOG_CHANGED> {
  if ((await extendIndex(index, handle, file, view)) === 'short') return LOG_CHANGED;
  return readEntries(handle, file, key, index, view, range);
}

/**
 * Reads the indexed lines in `range`, checking that each one ends where the index says and
 * holds the seq the index recorded for it: a line that does not is reported, never returned
 * in place of the message asked for.
 */
async function readEntries(handle: FileHandle, file: string, key: SessionKey, index: MessageIndex, view: LogView, range: MessageRange): Promise<Message[]> {
  let from = index.firstAbove(range.afterSeq ?? 0);
  let to = index.firstAbove(Math.min((range.beforeSeq ?? Number.POSITIVE_INFINITY) - 1, view.lastSeq));
  if (range.last !== undefined) from = Math.max(from, to - range.last);
  else if (range.limit !== undefined) to = Math.min(to, from + range.limit);
  if (from >= to) return [];
  const start = index.starts[from]!;
  const buffer = await readRange(handle, file, start, index.endOf(to - 1));
  const messages: Message[] = [];
  for (let i = from; i < to; i++) {
    const line = index.lines[i]!;
    const lineEnd = index.endOf(i) - start;
    if (buffer[lineEnd - 1] !== NEWLINE) throw new CorruptFileError(file, `does not end where its index recorded (byte ${start + lineEnd})`, { line });
    let message: Message;
    try {
      message = decodeMessageLine(buffer.toString('utf8', index.starts[i]! - start, lineEnd - 1), key);
    } catch (error) {
      if (!(error instanceof RecordShapeError)) throw error;
      throw new CorruptFileError(file, error.message, { line, cause: error });
    }
    // A seq names one message for good (never reused, not even after a clear or truncate).
    if (message.seq !== index.seqs[i]) {
      throw new CorruptFileError(file, `holds seq ${message.seq} where its index recorded seq ${index.seqs[i]}`, { line });
    }
    messages.push(message);
  }
  // Decoded without fault: an append need not decode these again.
  if (from <= index.checked && to > index.checked) index.checked = to;
  return messages;
}

/** Whether the last indexed line is still where the index says, with its seq and id: the file is the one indexed. */
async function endsWithLastEntry(handle: FileHandle, index: MessageIndex): Promise<boolean> {
  if (index.count === 0) return true;
  const last = index.count - 1;
  const start = index.starts[last]!;
  let buffer: Buffer;
  try {
    buffer = await readRange(handle, '', start, index.end);
  } catch (error) {
    if (error instanceof CorruptFileError) return false;
    throw error;
  }
  if (buffer.at(-1) !== NEWLINE) return false;
  const head = headOf(buffer, 0, buffer.length - 1);
  return head !== null && head.seq === index.seqs[last] && index.ids.get(head.id) === head.seq;
}

async function readRange(handle: FileHandle, file: string, start: number, end: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(end - start);
  let read = 0;
  while (read < buffer.length) {
    const { bytesRead } = await handle.read(buffer, read, buffer.length - read, start + read);
    if (bytesRead === 0) throw new CorruptFileError(file, `ends before the committed messages its index recorded (byte ${start + read})`);
    read += bytesRead;
  }
  return buffer;
}

/**
 * How often an append rewrites its lines when they did not land right after the committed
 * ones: only a writer that lost its lock (and cannot commit) appends at the same time, once
 * per write it had under way.
 */
const WRITE_ATTEMPTS = 4;

/**
 * Appends `bytes` so that they start at `start`, the end of the committed lines: cuts what
 * lies past it first (through the fence), appends, and reads back. A writer that lost its
 * lock still holds an open descriptor and may append at the same moment, so its lines can
 * come first: then the file is cut again and the lines written again, never committed
 * where a reader would meet a stranger's line among them.
 */
async function writeAfter(handle: FileHandle, file: string, start: number, bytes: Buffer, fence: Fence, mustCut: boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (mustCut) await fence.truncate(file, start);
    else await fence.check();
    await writeAll(handle, bytes);
    const landed = await readRange(handle, file, start, start + bytes.length).catch(() => null);
    if (landed?.equals(bytes)) return;
    if (attempt >= WRITE_ATTEMPTS) throw new Error(`${file}: other processes kept appending to it while this one held its lock (${attempt} attempts); nothing was committed, retry`);
    mustCut = true;
  }
}

/**
 * Decodes the committed lines not checked yet, as a read of them would: an append to a
 * session whose history cannot be read fails the way the read does. Once per index; lines
 * this process appended itself are known good.
 */
async function checkLines(handle: FileHandle, file: string, key: SessionKey, index: MessageIndex, view: LogView): Promise<void> {
  if (index.checked >= index.count) return;
  await readEntries(handle, file, key, index, view, { afterSeq: index.checked === 0 ? 0 : index.seqs[index.checked - 1]! });
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
