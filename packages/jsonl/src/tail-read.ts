import type { FileHandle } from 'node:fs/promises';
import type { Message, SessionKey } from '@sessions/core';
import type { MessageRange } from '@sessions/core/engine';
import type { LogView } from './log-view.js';
import { decodeMessageLine } from './records.js';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * The newest `range.last` committed messages, read backwards from the end of the file in
 * chunks, so loading the last 50 of a long history parses about 50 lines. Returns null
 * when anything looks off (a line that does not parse, seqs out of order, fewer messages
 * than the session records): the caller then does a full forward scan, which reports
 * problems with their line numbers.
 */
export async function readTail(
  handle: FileHandle,
  size: number,
  key: SessionKey,
  view: LogView,
  range: MessageRange & { last: number },
): Promise<Message[] | null> {
  const after = Math.max(range.afterSeq ?? 0, view.clearedThroughSeq);
  const before = range.beforeSeq ?? Number.POSITIVE_INFINITY;
  const found: Message[] = [];
  let position = size;
  // Bytes from `position` not yet looked at; once the torn tail is cut, it always ends with a newline.
  let pending: Buffer = Buffer.alloc(0);
  let tailCut = false;
  let done = false;
  while (!done && position > 0) {
    const length = Math.min(CHUNK, position);
    position -= length;
    const chunk = await readExactly(handle, position, length);
    if (!chunk) return null;
    pending = pending.length === 0 ? chunk : Buffer.concat([chunk, pending]);
    if (!tailCut) {
      // A last line without its newline was torn by a crash: it never committed.
      const lastNewline = pending.lastIndexOf(NEWLINE);
      if (lastNewline === -1) {
        if (position > 0) continue;
        pending = Buffer.alloc(0);
        break;
      }
      pending = pending.subarray(0, lastNewline + 1);
      tailCut = true;
    }
    let cursor = pending.length - 1;
    while (cursor >= 0 && !done) {
      // (lastIndexOf would read a negative offset from the end, hence the guard)
      const previousNewline = cursor === 0 ? -1 : pending.lastIndexOf(NEWLINE, cursor - 1);
      // The line may begin before this chunk: read further back first.
      if (previousNewline === -1 && position > 0) break;
      const message = parse(pending.toString('utf8', previousNewline + 1, cursor), key);
      if (!message) return null;
      cursor = previousNewline;
      const newest = found.at(-1);
      if (newest && message.seq >= newest.seq) return null;
      // Above lastSeq: an append that has not committed; in the truncated range: a deleted line the
      // rewrite has not removed yet. Either sits after the committed lines, never before one.
      if (message.seq > view.lastSeq || (view.truncated && message.seq > view.truncated.afterSeq && message.seq <= view.truncated.throughSeq)) {
        if (found.length > 0) return null;
        continue;
      }
      if (message.seq <= after) done = true;
      else if (message.seq < before) {
        found.push(message);
        if (found.length === range.last) done = true;
      }
    }
    pending = cursor >= 0 ? pending.subarray(0, cursor + 1) : Buffer.alloc(0);
  }
  if (range.afterSeq === undefined && range.beforeSeq === undefined && found.length !== Math.min(range.last, view.messageCount)) return null;
  return found.reverse();
}

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer | null> {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await handle.read(buffer, read, length - read, position + read);
    if (bytesRead === 0) return null;
    read += bytesRead;
  }
  return buffer;
}

function parse(line: string, key: SessionKey): Message | null {
  try {
    return decodeMessageLine(line, key);
  } catch {
    return null;
  }
}
