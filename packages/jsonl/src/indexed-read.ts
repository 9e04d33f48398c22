import type { FileHandle } from 'node:fs/promises';
import type { Message, SessionKey } from '@sessions/core';
import type { MessageRange } from '@sessions/core/engine';
import { CorruptFileError } from './errors.js';
import { LOG_CHANGED, type LogView } from './log-view.js';
import { extendIndex, headOf, type MessageIndex } from './message-index.js';
import { decodeMessageLine, RecordShapeError } from './records.js';

const NEWLINE = 0x0a;

/**
 * The committed messages in `range`, after indexing what the index lacks; `LOG_CHANGED` if the
 * file holds fewer lines than the view.
 */
export async function readIndexed(
  handle: FileHandle,
  file: string,
  key: SessionKey,
  index: MessageIndex,
  view: LogView,
  range: MessageRange,
): Promise<Message[] | typeof LOG_CHANGED> {
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
export async function endsWithLastEntry(handle: FileHandle, index: MessageIndex): Promise<boolean> {
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

export async function readRange(handle: FileHandle, file: string, start: number, end: number): Promise<Buffer> {
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
 * Decodes the committed lines not checked yet, as a read of them would: an append to a
 * session whose history cannot be read fails the way the read does. Once per index; lines
 * this process appended itself are known good.
 */
export async function checkLines(handle: FileHandle, file: string, key: SessionKey, index: MessageIndex, view: LogView): Promise<void> {
  if (index.checked >= index.count) return;
  await readEntries(handle, file, key, index, view, { afterSeq: index.checked === 0 ? 0 : index.seqs[index.checked - 1]! });
}

export function missingLines(file: string, index: MessageIndex, view: LogView): CorruptFileError {
  return new CorruptFileError(
    file,
    `holds ${index.count} committed messages where its session file records ${view.messageCount} (up to seq ${view.lastSeq}): lines were lost or edited`,
  );
}
