import type { FileHandle } from 'node:fs/promises';
import { CorruptFileError } from './errors.js';
import type { LogView } from './log-view.js';

/**
 * Where each committed message of one messages file starts, with its seq, line number and
 * id. Built once per file by one scan, then extended by reading only the bytes appended
 * since, so appends (which check ids) and range reads stay O(1) in the history length.
 *
 * An index is cached under the session file's log id plus the file's device and inode.
 * That does not name one file for sure: a reader can hold a view whose log id is already
 * stale, and the file systems hand a freed inode number straight back, so after a clear
 * (the file removed) and an append (a new file) the path can name a new file with the
 * same device and inode. Users of a cached index therefore check the lines they rely on
 * against it (line end and seq) and drop it on a mismatch. Within one file committed
 * lines never change (a rewrite writes a new file), so an index only ever grows.
 */
export class MessageIndex {
  readonly logId: string;
  readonly dev: bigint;
  readonly ino: bigint;
  readonly seqs: number[] = [];
  readonly starts: number[] = [];
  readonly lines: number[] = [];
  readonly ids = new Map<string, number>();
  /** Byte offset just past the last indexed line (0 while there is none). */
  end = 0;
  /** Line number of the line starting at `end`. */
  nextLine = 1;
  /** How many entries, from the first, are known to decode as messages (a scan reads only each line's seq and id). */
  checked = 0;
  /** The scan in progress, if any: extensions run one at a time. */
  extending: Promise<ScanResult> | undefined;

  constructor(logId: string, dev: bigint, ino: bigint) {
    this.logId = logId;
    this.dev = dev;
    this.ino = ino;
  }

  get count(): number {
    return this.seqs.length;
  }

  get lastSeq(): number {
    return this.seqs.at(-1) ?? 0;
  }

  /** Byte offset just past entry `i`. */
  endOf(i: number): number {
    return i + 1 < this.seqs.length ? this.starts[i + 1]! : this.end;
  }

  add(seq: number, id: string, start: number, end: number): void {
    this.seqs.push(seq);
    this.starts.push(start);
    this.lines.push(this.nextLine);
    this.ids.set(id, seq);
    this.end = end;
    this.nextLine += 1;
  }

  /** First entry index whose seq is above `seq`. */
  firstAbove(seq: number): number {
    let low = 0;
    let high = this.seqs.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.seqs[middle]! <= seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** `complete`: the index holds the view's committed messages. `short`: the file ended first. */
export type ScanResult = 'complete' | 'short';

const CHUNK = 256 * 1024;
const NEWLINE = 0x0a;

/** Brings `index` up to the view's committed messages, waiting for a scan already running on it. */
export async function extendIndex(index: MessageIndex, handle: FileHandle, file: string, view: LogView): Promise<ScanResult> {
  for (;;) {
    if (index.count >= view.messageCount) return 'complete';
    if (index.extending) {
      await index.extending.catch(() => undefined);
      continue;
    }
    const scan = scanFile(index, handle, file, view);
    index.extending = scan;
    try {
      return await scan;
    } finally {
      index.extending = undefined;
    }
  }
}

async function scanFile(index: MessageIndex, handle: FileHandle, file: string, view: LogView): Promise<ScanResult> {
  // With no committed line found yet, start over: lines a crashed clear left are skipped, never counted.
  let position = index.count === 0 ? 0 : index.end;
  let lineNumber = index.count === 0 ? 1 : index.nextLine;
  if (index.count === 0) {
    index.end = 0;
    index.nextLine = 1;
  }
  let carry: Buffer = Buffer.alloc(0);
  let carryStart = position;
  for (;;) {
    const chunk = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await handle.read(chunk, 0, CHUNK, position);
    if (bytesRead === 0) return 'short';
    position += bytesRead;
    const buffer = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
    let lineStart = 0;
    for (;;) {
      const newline = buffer.indexOf(NEWLINE, lineStart);
      if (newline === -1) break;
      const head = readHead(buffer, lineStart, newline, file, lineNumber);
      const start = carryStart + lineStart;
      const end = carryStart + newline + 1;
      if (head.seq <= view.clearedThroughSeq) {
        if (index.count > 0)
          throw new CorruptFileError(file, `has seq ${head.seq} after seq ${index.lastSeq}: seq must increase line by line`, { line: lineNumber });
      } else {
        // Past the view's last seq lies an append that has not committed (or never will).
        if (head.seq > view.lastSeq) return 'short';
        if (head.seq <= index.lastSeq)
          throw new CorruptFileError(file, `has seq ${head.seq} after seq ${index.lastSeq}: seq must increase line by line`, { line: lineNumber });
        if (index.ids.has(head.id)) throw new CorruptFileError(file, `repeats the message id ${JSON.stringify(head.id)}`, { line: lineNumber });
        index.nextLine = lineNumber;
        index.add(head.seq, head.id, start, end);
        if (index.count >= view.messageCount) return 'complete';
      }
      lineNumber += 1;
      lineStart = newline + 1;
    }
    carry = buffer.subarray(lineStart);
    carryStart += lineStart;
  }
}

const SEQ_PREFIX = Buffer.from('{"seq":');
const ID_PREFIX = Buffer.from(',"id":"');

/** The seq and id of the line at `start` to `end` (its newline excluded), or null when it is not a message line. */
export function headOf(buffer: Buffer, start: number, end: number): { seq: number; id: string } | null {
  try {
    return readHead(buffer, start, end, '', 0);
  } catch (error) {
    if (error instanceof CorruptFileError) return null;
    throw error;
  }
}

/** The seq and id of a line, read from its first bytes when it has the engine's own shape, else by parsing it. */
function readHead(buffer: Buffer, start: number, end: number, file: string, line: number): { seq: number; id: string } {
  const fast = readHeadFast(buffer, start, end);
  if (fast) return fast;
  let value: unknown;
  try {
    value = JSON.parse(buffer.toString('utf8', start, end));
  } catch (error) {
    throw new CorruptFileError(file, `is not valid JSON (${(error as Error).message})`, { line, cause: error });
  }
  const record = value as { seq?: unknown; id?: unknown } | null;
  if (typeof record !== 'object' || record === null || !Number.isSafeInteger(record.seq) || (record.seq as number) < 1 || typeof record.id !== 'string') {
    throw new CorruptFileError(file, 'is not a message (it needs a positive integer "seq" and a string "id")', { line });
  }
  return { seq: record.seq as number, id: record.id };
}

function readHeadFast(buffer: Buffer, start: number, end: number): { seq: number; id: string } | null {
  if (!startsWith(buffer, start, SEQ_PREFIX)) return null;
  let i = start + SEQ_PREFIX.length;
  const digits = i;
  let seq = 0;
  while (i < end && buffer[i]! >= 0x30 && buffer[i]! <= 0x39) {
    seq = seq * 10 + (buffer[i]! - 0x30);
    i++;
  }
  if (i === digits || i - digits > 15 || seq < 1 || (buffer[digits] === 0x30 && i - digits > 1)) return null;
  if (!startsWith(buffer, i, ID_PREFIX)) return null;
  const quote = i + ID_PREFIX.length - 1;
  let j = quote + 1;
  let escaped = false;
  while (j < end && buffer[j] !== 0x22) {
    if (buffer[j] === 0x5c) {
      escaped = true;
      j += 2;
    } else j += 1;
  }
  if (j >= end) return null;
  const literal = buffer.toString('utf8', quote, j + 1);
  if (!escaped) return { seq, id: literal.slice(1, -1) };
  try {
    return { seq, id: JSON.parse(literal) as string };
  } catch {
    return null;
  }
}

function startsWith(buffer: Buffer, at: number, prefix: Buffer): boolean {
  if (at + prefix.length > buffer.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buffer[at + i] !== prefix[i]) return false;
  return true;
}
