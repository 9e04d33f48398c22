import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager, StorageError, type SessionKey } from '@sessions/core';
import { CorruptFileError, JsonlEngine } from '../src/index.js';
import { sessionFiles } from './raw-store.js';
import { removeDir, tempDir } from './temp-dir.js';

describe('crash recovery and damaged files', () => {
  const opened: JsonlEngine[] = [];
  let dir: string;

  /** A manager on a fresh engine over `dir`: its caches know nothing yet, like another process. */
  async function managerOn(folder = dir): Promise<SessionManager> {
    const engine = new JsonlEngine({ dir: folder });
    opened.push(engine);
    await engine.setup();
    return new SessionManager({ engine });
  }

  async function sessionWith(key: SessionKey, count: number): Promise<SessionManager> {
    dir = tempDir();
    const manager = await managerOn();
    await manager.create(key);
    await manager.append(
      key,
      Array.from({ length: count }, (_, i) => ({ role: 'user' as const, content: `m${i + 1}`, id: `m${i + 1}` })),
    );
    return manager;
  }

  const seqsOnDisk = async (key: SessionKey) => {
    const text = await readFile(sessionFiles(dir, key).messages, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { seq: number }).seq);
  };

  afterEach(async () => {
    for (const engine of opened.splice(0)) await engine.close();
    removeDir(dir);
  });

  it('ignores a torn last line on read and cuts it off on the next write, losing no complete line', async () => {
    const key = { userId: 'u', sessionId: 'torn' };
    const writer = await sessionWith(key, 3);
    await appendFile(sessionFiles(dir, key).messages, '{"seq":4,"id":"half","role":"us');

    for (const manager of [writer, await managerOn()]) {
      expect((await manager.messages(key)).map((m) => m.content)).toEqual(['m1', 'm2', 'm3']);
      expect((await manager.messages(key, { last: 2 })).map((m) => m.seq)).toEqual([2, 3]);
    }
    const [appended] = await (await managerOn()).append(key, { role: 'assistant', content: 'after repair', id: 'half' });
    expect(appended!.seq).toBe(4);
    expect(await seqsOnDisk(key)).toEqual([1, 2, 3, 4]);
    expect((await writer.messages(key)).map((m) => m.content)).toEqual(['m1', 'm2', 'm3', 'after repair']);
  });

  it('treats complete lines past lastSeq as an append that never committed: invisible, then replaced', async () => {
    const key = { userId: 'u', sessionId: 'uncommitted' };
    const writer = await sessionWith(key, 2);
    // What a crash between writing the lines and replacing the session file leaves behind.
    await appendFile(
      sessionFiles(dir, key).messages,
      `${JSON.stringify({ seq: 3, id: 'ghost-1', role: 'user', content: 'never committed' })}\n${JSON.stringify({ seq: 4, id: 'ghost-2', role: 'user', content: 'nor this' })}\n`,
    );
    const reader = await managerOn();
    expect((await reader.messages(key)).map((m) => m.seq)).toEqual([1, 2]);
    expect((await reader.messages(key, { last: 5 })).map((m) => m.seq)).toEqual([1, 2]);
    expect((await reader.messages(key, { afterSeq: 1 })).map((m) => m.seq)).toEqual([2]);
    // Its ids are free again: the batch never happened.
    const appended = await writer.append(key, { role: 'user', content: 'real', id: 'ghost-1' });
    expect(appended[0]!.seq).toBe(3);
    expect(await seqsOnDisk(key)).toEqual([1, 2, 3]);
    expect((await reader.messages(key)).map((m) => m.content)).toEqual(['m1', 'm2', 'real']);
  });

  it('reports a corrupt line in the middle with its file and line number, and changes nothing', async () => {
    const key = { userId: 'u', sessionId: 'corrupt' };
    await sessionWith(key, 5);
    const file = sessionFiles(dir, key).messages;
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[2] = '{"seq":3,"id":"m3","role":"user","content":"cut here';
    await writeFile(file, lines.join('\n'));
    const before = await readFile(file, 'utf8');

    const reader = await managerOn();
    const error = await reader.messages(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain(`${file} line 3 is not valid JSON`);
    expect((error as Error).cause).toBeInstanceOf(CorruptFileError);
    expect((error as Error).cause).toMatchObject({ file, line: 3 });
    // Reading around it still works; reading through it fails the same way.
    expect((await reader.messages(key, { last: 2 })).map((m) => m.seq)).toEqual([4, 5]);
    await expect(reader.messages(key, { last: 3 })).rejects.toThrow(/line 3/);

    const garbage = lines.slice();
    garbage[1] = 'not json at all';
    await writeFile(file, garbage.join('\n'));
    const fresh = await managerOn();
    await expect(fresh.messages(key)).rejects.toThrow(`${file} line 2 is not valid JSON`);
    await expect(fresh.append(key, { role: 'user', content: 'x' })).rejects.toThrow(/line 2/);
    await writeFile(file, before);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it.each([
    ['is cut short (its seq and id intact)', '{"seq":3,"id":"m3","role":"user","content":"cut here', /line 3 is not valid JSON/],
    [
      'holds a field of the wrong type',
      '{"seq":3,"id":"m3","role":5,"content":"m3","name":null,"toolCalls":null,"toolCallId":null,"agentId":null,"runId":null,"metadata":{},"createdAt":"2026-01-01T00:00:00.000Z"}',
      /line 3 has 5 in the string field "role"/,
    ],
  ])('refuses an append to a session whose line 3 %s, as the read does, and changes nothing', async (_, line, problem) => {
    const key = { userId: 'u', sessionId: 'corrupt-append' };
    await sessionWith(key, 5);
    const file = sessionFiles(dir, key).messages;
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[2] = line;
    await writeFile(file, lines.join('\n'));
    const before = await readFile(file, 'utf8');
    const sessionBefore = await readFile(sessionFiles(dir, key).session, 'utf8');

    const fresh = await managerOn();
    const read = await fresh.messages(key).catch((e: unknown) => e);
    expect((read as Error).message).toMatch(problem);
    const append = await fresh.append(key, { role: 'user', content: 'x' }).catch((e: unknown) => e);
    expect(append).toBeInstanceOf(StorageError);
    expect((append as Error).message).toMatch(problem);
    expect((append as Error).cause).toMatchObject({ file, line: 3 });
    // One that only read the newest lines (from the end of the file) has checked nothing before line 4 either.
    const tailReader = await managerOn();
    expect((await tailReader.messages(key, { last: 2 })).map((m) => m.seq)).toEqual([4, 5]);
    await expect(tailReader.append(key, { role: 'user', content: 'x' })).rejects.toThrow(problem);
    await expect(tailReader.run(key, ({ append }) => append({ role: 'user', content: 'x' }))).rejects.toThrow(problem);

    await expect(tailReader.truncate(key, { afterSeq: 4 })).rejects.toThrow(problem);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readFile(sessionFiles(dir, key).session, 'utf8')).toBe(sessionBefore);

    // The way out without editing the file: clear it.
    await fresh.clear(key);
    await fresh.append(key, { role: 'user', content: 'after clear' });
    expect((await fresh.messages(key)).map((m) => [m.seq, m.content])).toEqual([[6, 'after clear']]);
  });

  it('reports a messages file that lost committed lines instead of returning fewer messages', async () => {
    const key = { userId: 'u', sessionId: 'truncated' };
    await sessionWith(key, 4);
    const file = sessionFiles(dir, key).messages;
    const lines = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, `${lines.slice(0, 2).join('\n')}\n`);
    const reader = await managerOn();
    await expect(reader.messages(key)).rejects.toThrow(/holds fewer than the 4 committed messages/);
    await expect(reader.append(key, { role: 'user', content: 'x' })).rejects.toThrow(/holds 2 committed messages where its session file records 4/);
  });

  it('ignores lines a crash during clear left behind, and removes them on the next append', async () => {
    const key = { userId: 'u', sessionId: 'half-cleared' };
    await sessionWith(key, 3);
    const files = sessionFiles(dir, key);
    // clear() commits the session file first, then removes the messages file; die in between.
    const stored = JSON.parse(await readFile(files.session, 'utf8')) as { session: { messageCount: number }; log: { id: string; clearedThroughSeq: number } };
    stored.session.messageCount = 0;
    stored.log = { id: 'after-clear', clearedThroughSeq: 3 };
    await writeFile(files.session, JSON.stringify(stored));

    const manager = await managerOn();
    expect(await manager.messages(key)).toEqual([]);
    expect(await manager.messages(key, { last: 2 })).toEqual([]);
    const [next] = await manager.append(key, { role: 'user', content: 'fresh', id: 'm1' });
    expect(next!.seq).toBe(4);
    expect(await seqsOnDisk(key)).toEqual([4]);
  });

  it('hides what a truncate deleted when a crash kept the old messages file, from the front and from the end', async () => {
    const key = { userId: 'u', sessionId: 'half-truncated' };
    const writer = await sessionWith(key, 10);
    const files = sessionFiles(dir, key);
    const before = await readFile(files.messages, 'utf8');
    expect(await writer.truncate(key, { afterSeq: 5 })).toBe(5);
    const truncated = await readFile(files.messages, 'utf8');
    expect(truncated).toBe(before.split('\n').slice(0, 5).join('\n') + '\n');
    expect(JSON.parse(await readFile(files.session, 'utf8'))).toMatchObject({
      session: { messageCount: 5, lastSeq: 10 },
      log: { truncated: { afterSeq: 5, throughSeq: 10 } },
    });
    // truncate commits the session file first, then renames the kept lines into place: die in between.
    await writeFile(files.messages, before);

    const reader = await managerOn();
    expect((await reader.messages(key, { last: 3 })).map((m) => m.seq)).toEqual([3, 4, 5]);
    expect((await reader.messages(key)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await reader.messages(key, { afterSeq: 4, last: 9 })).map((m) => m.seq)).toEqual([5]);
    // The deleted ids are free again; the next append cuts the deleted lines off.
    const [next] = await reader.append(key, { role: 'user', content: 'again', id: 'm7' });
    expect(next!.seq).toBe(11);
    expect(await seqsOnDisk(key)).toEqual([1, 2, 3, 4, 5, 11]);
    expect((await (await managerOn()).messages(key, { last: 2 })).map((m) => m.seq)).toEqual([5, 11]);
  });

  it('reports a session file that is not a session, naming it', async () => {
    const key = { userId: 'u', sessionId: 'bad-session-file' };
    const manager = await sessionWith(key, 1);
    const file = sessionFiles(dir, key).session;
    await writeFile(file, '{"session": {"userId": "u"}');
    await expect(manager.get(key)).rejects.toThrow(`${file} is not valid JSON`);
    await writeFile(file, JSON.stringify({ session: { userId: 'u' }, log: { id: 'x', clearedThroughSeq: 0 } }));
    await expect(manager.get(key)).rejects.toThrow(/lacks the field "sessionId"/);
    await expect(manager.list({ userId: 'u' })).rejects.toThrow(file);
  });

  it("refuses a session file copied under another session's name", async () => {
    dir = tempDir();
    const manager = await managerOn();
    await manager.create({ userId: 'u', sessionId: 'a' });
    const copy = sessionFiles(dir, { userId: 'u', sessionId: 'b' }).session;
    await writeFile(copy, await readFile(sessionFiles(dir, { userId: 'u', sessionId: 'a' }).session));
    await expect(manager.get({ userId: 'u', sessionId: 'b' })).rejects.toThrow(/belongs in another file/);
  });
});
