import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, SessionKey } from '@sessions/core';
import { Fence } from '../src/fence.js';
import { LOG_CHANGED, type LogView } from '../src/log-view.js';
import { MessageLog } from '../src/message-log.js';
import { encodeMessageLine } from '../src/records.js';
import { removeDir, tempDir } from './temp-dir.js';

// A file written over in place keeps its device and inode, exactly as a new file does that gets a
// freed inode number back (ext4 hands the last freed one to the next file): these tests put a
// different file under a cached index without depending on the file system's allocator.
describe('message indexes cached per file', () => {
  const key: SessionKey = { userId: 'u', sessionId: 's' };
  let dir: string;

  const message = (seq: number, id: string, content = `message ${seq}`): Message => ({
    ...key,
    seq,
    id,
    role: 'user',
    content,
    name: null,
    toolCalls: null,
    toolCallId: null,
    agentId: null,
    runId: null,
    metadata: {},
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
  });
  const view = (id: string, lastSeq: number, messageCount: number, clearedThroughSeq = 0): LogView => ({
    id,
    lastSeq,
    messageCount,
    clearedThroughSeq,
    truncated: undefined,
  });
  const writeLines = (file: string, messages: Message[]) => writeFile(file, messages.map(encodeMessageLine).join(''));

  afterEach(() => removeDir(dir));

  async function indexed(messages: Message[]): Promise<{ log: MessageLog; file: string; ino: bigint }> {
    dir = tempDir();
    const file = join(dir, 's.messages.jsonl');
    await writeLines(file, messages);
    const log = new MessageLog({ fsync: false, cacheSize: 8 });
    // A reader holding the view of the log 'before' indexes the file and caches the index.
    expect(await log.read(file, key, view('before', messages.length, messages.length), {})).toEqual(messages);
    return { log, file, ino: (await stat(file, { bigint: true })).ino };
  }

  it('never decodes a new file at the offsets of an old one that had the same inode (a clear and an append under a stale view)', async () => {
    const { log, file, ino } = await indexed([message(1, 'a'), message(2, 'b')]);
    // clear() then append(2): the new lines have new seqs and other lengths; this reader still holds the old view.
    await writeLines(file, [message(3, 'c-longer-id'), message(4, 'd')]);
    expect((await stat(file, { bigint: true })).ino).toBe(ino);
    // The old view's lines are gone: the caller re-reads the session file and retries, no CorruptFileError.
    expect(await log.read(file, key, view('before', 2, 2), {})).toBe(LOG_CHANGED);
    expect(await log.read(file, key, view('before', 2, 2), { last: 1 })).toBe(LOG_CHANGED);
    expect(await log.read(file, key, view('before', 2, 2), { afterSeq: 1 })).toBe(LOG_CHANGED);
    // The reader's next view is the new log's, which reads the new file as it is.
    expect(await log.read(file, key, view('after', 4, 2, 2), {})).toEqual([message(3, 'c-longer-id'), message(4, 'd')]);
  });

  it('never returns the lines of a new file of the same shape for the old view, even when every offset lines up', async () => {
    const { log, file } = await indexed([message(1, 'a'), message(2, 'b')]);
    // Same byte lengths, line for line: only the seqs and ids tell the files apart.
    await writeLines(file, [message(3, 'c'), message(4, 'd')]);
    expect(await log.read(file, key, view('before', 2, 2), {})).toBe(LOG_CHANGED);
    expect(await log.read(file, key, view('before', 2, 2), { limit: 1 })).toBe(LOG_CHANGED);
  });

  it('extends a cached index only over the file it describes, so a longer view does not scan from a stale offset', async () => {
    const { log, file } = await indexed([message(1, 'a'), message(2, 'b')]);
    await writeLines(file, [message(3, 'a-much-longer-id'), message(4, 'b'), message(5, 'e')]);
    // The old log grew to 3 messages in this reader's view; the file on this inode is another log's.
    expect(await log.read(file, key, view('before', 3, 3), {})).toBe(LOG_CHANGED);
  });

  it('still reports real damage with its line number after dropping a cached index', async () => {
    const { log, file } = await indexed([message(1, 'a'), message(2, 'b')]);
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('"seq":2', '"seq":2,');
    await writeFile(file, lines.join('\n'));
    await expect(log.read(file, key, view('before', 2, 2), {})).rejects.toThrow(/line 2 is not valid JSON/);
  });

  it('appends after the committed lines of the file it has, never at the end of a cached index of another file', async () => {
    const { log, file } = await indexed([message(1, 'a'), message(2, 'b')]);
    // Same seqs and ids but longer lines: the cached end falls inside line 2 of this file.
    const current = [message(1, 'a', 'a much longer first message'), message(2, 'b')];
    await writeLines(file, current);
    // A fence as a lock held by this test would give.
    await mkdir(join(dir, 's.lock', 'token'), { recursive: true });
    const fence = new Fence(join(dir, 's.lock'), 'token');
    const appended = await log.append(
      file,
      key,
      view('before', 2, 2),
      [
        {
          ...key,
          id: 'c',
          role: 'user',
          content: 'three',
          name: null,
          toolCalls: null,
          toolCallId: null,
          agentId: null,
          runId: null,
          metadata: {},
          createdAt: new Date('2026-01-01T00:00:00.000Z'),
        },
      ],
      fence,
      async () => {},
    );
    expect(appended.map((m) => m.seq)).toEqual([3]);
    const fresh = new MessageLog({ fsync: false, cacheSize: 8 });
    expect(await fresh.read(file, key, view('before', 3, 3), {})).toEqual([...current, message(3, 'c', 'three')]);
  });
});
