import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager, type SessionKey } from '@sessions/core';
import { JsonlEngine } from '../src/index.js';
import { sessionFiles } from './raw-store.js';
import { removeDir, tempDir } from './temp-dir.js';
import { startWorker } from './worker-process.js';

describe('several OS processes sharing one folder', () => {
  let dir: string;
  let engine: JsonlEngine;

  async function open(): Promise<SessionManager> {
    dir = tempDir();
    engine = new JsonlEngine({ dir });
    await engine.setup();
    return new SessionManager({ engine });
  }

  afterEach(async () => {
    await engine.close();
    removeDir(dir);
  });

  it('4 processes x 200 run() turns on one session lose nothing, duplicate nothing and keep seq gap-free', async () => {
    const manager = await open();
    const key: SessionKey = { userId: 'shared-user', sessionId: 'shared-session' };
    await manager.create(key);
    const names = ['p0', 'p1', 'p2', 'p3'];
    const workers = names.map((name) => startWorker('turns', { dir, key, name, turns: 200 }));
    const outcomes = await Promise.all(workers.map((worker) => worker.exited));
    for (const outcome of outcomes) expect(outcome, outcome.stderr).toMatchObject({ code: 0 });

    const messages = await manager.messages(key);
    expect(messages).toHaveLength(1_600);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 1_600 }, (_, i) => i + 1));
    for (let i = 0; i < messages.length; i += 2) {
      // Each turn saw exactly the messages before it (runs never overlapped) and its two messages are adjacent.
      const [, name, turn] = /^(p\d) t(\d+) at (\d+)$/.exec(String(messages[i]!.content))!;
      expect(messages[i]!.content).toBe(`${name} t${turn} at ${i}`);
      expect(messages[i + 1]!.content).toBe(`${name} t${turn} reply`);
    }
    for (const name of names) {
      const turns = messages
        .filter((m) => m.role === 'user' && String(m.content).startsWith(`${name} `))
        .map((m) => Number(/ t(\d+) /.exec(String(m.content))![1]));
      expect(turns).toEqual(Array.from({ length: 200 }, (_, i) => i));
    }
    expect(await manager.get(key)).toMatchObject({ messageCount: 1_600, lastSeq: 1_600 });
    const lines = (await readFile(sessionFiles(dir, key).messages, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual(messages.map((m) => m.seq));
    expect((await readdir(`${dir}/users/shared-user`)).filter((name) => name.endsWith('.lock') || name.endsWith('.tmp'))).toEqual([]);
  }, 170_000);

  it('a reader never mistakes a clear and an append in another process for a damaged file (a few seconds)', async () => {
    const manager = await open();
    const key: SessionKey = { userId: 'u', sessionId: 'churned' };
    await manager.create(key);
    const writer = startWorker('churn', { dir, key, ms: 3_000 });
    let done = false;
    const exited = writer.exited.then((outcome) => ((done = true), outcome));
    let reads = 0;
    while (!done) {
      // Each read sees the session between two rounds or in the middle of one: none, or both of a round's messages.
      for (const range of [{}, { last: 1 }, { afterSeq: 0, limit: 2 }]) {
        const messages = await manager.messages(key, range);
        expect(messages.length).toBeLessThanOrEqual(2);
        if (messages.length === 2) expect(messages[1]!.seq).toBe(messages[0]!.seq + 1);
        for (const message of messages) expect(message.seq % 2).toBe(message.role === 'user' ? 1 : 0);
        reads++;
      }
    }
    const outcome = await exited;
    expect(outcome, outcome.stderr).toMatchObject({ code: 0 });
    expect(reads).toBeGreaterThan(100);
  }, 60_000);

  it('truncates while another process appends, keeping seq, messageCount and the file in step', async () => {
    const manager = await open();
    const key: SessionKey = { userId: 'u', sessionId: 'truncated-while-appending' };
    await manager.create(key);
    const count = 200;
    const writer = startWorker('append-loop', { dir, key, count });
    let done = false;
    const exited = writer.exited.then((outcome) => ((done = true), outcome));
    let deleted = 0;
    while (!done) {
      const session = (await manager.get(key))!;
      deleted += await manager.truncate(key, { afterSeq: Math.max(0, session.lastSeq - 3) });
      const messages = await manager.messages(key);
      expect(messages.map((m) => m.seq)).toEqual([...messages.map((m) => m.seq)].sort((a, b) => a - b));
    }
    const outcome = await exited;
    expect(outcome, outcome.stderr).toMatchObject({ code: 0 });
    const session = (await manager.get(key))!;
    const messages = await manager.messages(key);
    expect(deleted).toBeGreaterThan(0);
    expect(session.lastSeq).toBe(count);
    expect(session.messageCount).toBe(count - deleted);
    expect(messages).toHaveLength(count - deleted);
    // A truncate that kept nothing removes the file.
    const text = await readFile(sessionFiles(dir, key).messages, 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    expect(lines.map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual(messages.map((m) => m.seq));
  }, 60_000);

  it('a run holder killed with SIGKILL loses its lease within the TTL; the next run proceeds and keeps what it committed', async () => {
    const manager = await open();
    const key: SessionKey = { userId: 'u', sessionId: 'killed-holder' };
    await manager.create(key);
    const lockTtlMs = 1_500;
    const holder = startWorker('hold', { dir, key, lockTtlMs, heartbeatMs: 300 });
    await holder.waitFor('appended', 20_000);
    const lease = JSON.parse(await readFile(sessionFiles(dir, key).lease, 'utf8')) as { owner: string; token: number };
    expect(lease.owner).toBe('doomed-holder');

    holder.kill('SIGKILL');
    expect((await holder.exited).signal).toBe('SIGKILL');
    const killedAt = performance.now();
    const seen = await manager.run(
      key,
      async ({ history, lease: next, append }) => {
        expect(next.token).toBeGreaterThan(lease.token);
        await append({ role: 'assistant', content: 'next run' });
        return history.map((m) => m.content);
      },
      { waitMs: 10_000 },
    );
    // The last heartbeat renewed the lease at most a TTL before it lapses; then acquire polls (up to 250 ms apart).
    expect(performance.now() - killedAt).toBeLessThan(2 * lockTtlMs);
    expect(seen).toEqual(['committed by the holder before it died']);
    expect((await manager.messages(key)).map((m) => [m.seq, m.content])).toEqual([
      [1, 'committed by the holder before it died'],
      [2, 'next run'],
    ]);
  }, 60_000);

  it('a writer killed mid-write leaves a torn batch that readers ignore and a lock file that does not block the next writer', async () => {
    const manager = await open();
    const key: SessionKey = { userId: 'u', sessionId: 'torn-by-kill' };
    await manager.create({ ...key, messages: [{ role: 'user', content: 'committed before' }] });
    const writer = startWorker('tear-mid-write', { dir, key });
    const outcome = await writer.exited;
    expect(outcome.signal, outcome.stderr).toBe('SIGKILL');

    const files = sessionFiles(dir, key);
    const left = await readFile(files.messages, 'utf8');
    expect(left).toContain('tear-me first line');
    expect(left.endsWith('\n')).toBe(false);
    const [fence] = await readdir(files.lock);
    expect(JSON.parse(await readFile(join(files.lock, fence!, 'owner.json'), 'utf8'))).toMatchObject({ pid: writer.pid });

    expect((await manager.messages(key)).map((m) => m.content)).toEqual(['committed before']);
    expect(await manager.get(key)).toMatchObject({ messageCount: 1, lastSeq: 1 });
    const started = performance.now();
    const [next] = await manager.append(key, { role: 'user', content: 'after the crash' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(next!.seq).toBe(2);
    expect((await manager.messages(key)).map((m) => m.content)).toEqual(['committed before', 'after the crash']);
    const repaired = await readFile(files.messages, 'utf8');
    expect(repaired).not.toContain('tear-me');
    expect(
      repaired
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { seq: number }).seq),
    ).toEqual([1, 2]);
  }, 60_000);
});
