import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { SessionManager } from '@sessions/core';
import { SqliteEngine } from '../src/index.js';
import { rawReader, removeTempDir, tempDir } from './helpers.js';
import { startWorker, type Worker } from './processes.js';

let dir: string;
const workers: Worker[] = [];
const engines: SqliteEngine[] = [];

function database(): string {
  dir = tempDir();
  return join(dir, 'shared.db');
}

async function openEngine(path: string): Promise<SqliteEngine> {
  const engine = new SqliteEngine({ path });
  engines.push(engine);
  await engine.setup();
  return engine;
}

function worker(mode: string, args: Record<string, unknown>): Worker {
  const started = startWorker(mode, args);
  workers.push(started);
  return started;
}

afterEach(async () => {
  for (const { child } of workers.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const engine of engines.splice(0)) await engine.close();
  removeTempDir(dir);
});

describe('several OS processes sharing one file', () => {
  it('loses and duplicates nothing across 4 processes x 200 run() turns on one session, with gap-free seq', async ({ expect }) => {
    const path = database();
    const key = { userId: 'shared-user', sessionId: 'shared-session' };
    const engine = await openEngine(path);
    await new SessionManager({ engine }).create(key);

    const turns = 200;
    const running = [0, 1, 2, 3].map((id) => worker('turns', { path, ...key, worker: id, turns }));
    expect(await Promise.all(running.map((w) => w.next()))).toEqual(Array.from({ length: 4 }, () => ({ ready: true })));
    for (const w of running) w.send('go');
    const reports = await Promise.all(running.map((w) => w.next()));
    await Promise.all(running.map((w) => w.exited));

    expect(reports).toEqual(Array.from({ length: 4 }, () => ({ done: turns, interleaved: 0 })));
    const reader = rawReader(path);
    try {
      const messages = await reader.messages(key);
      expect(messages).toHaveLength(4 * turns * 2);
      expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
      expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
      // The lease kept each turn whole: every question is followed at once by its own answer.
      for (let i = 0; i < messages.length; i += 2) {
        expect(messages[i]!.id.replace(/-q$/, '-a')).toBe(messages[i + 1]!.id);
      }
      expect(await reader.session(key)).toMatchObject({ messageCount: 1600, lastSeq: 1600 });
      // ... and the processes really took turns, rather than running one after another.
      const owners = messages.map((m) => m.id.split('-')[0]);
      expect(owners.filter((owner, i) => i > 0 && owner !== owners[i - 1]).length).toBeGreaterThan(20);
    } finally {
      reader.close();
    }
  });

  it('lets the next run proceed within the TTL after the lease holder is killed with SIGKILL, keeping what it committed', async ({ expect }) => {
    const path = database();
    const key = { userId: 'u', sessionId: 'held' };
    const engine = await openEngine(path);
    const manager = new SessionManager({ engine, owner: 'survivor' });
    await manager.create(key);

    const ttlMs = 2_000;
    const holder = worker('hold', { path, ...key, ttlMs, messages: 3 });
    const { token: holderToken } = (await holder.next()) as { token: number };
    holder.child.kill('SIGKILL');
    const killedAt = Date.now();
    await holder.exited.catch(() => undefined);
    // What the store says: the dead holder's lease ends within one TTL of the kill.
    const stored = engine.database!.prepare('SELECT owner, token, expires_at FROM leases WHERE user_id = ? AND session_id = ?').get(key.userId, key.sessionId);
    expect(stored).toEqual({ owner: 'doomed-holder', token: holderToken, expires_at: expect.any(Number) });
    expect((stored as { expires_at: number }).expires_at).toBeLessThanOrEqual(killedAt + ttlMs);

    const { token, history, acquiredAfterMs } = await manager.run(
      key,
      async ({ lease, history, append }) => {
        const acquiredAfterMs = Date.now() - killedAt;
        await append({ role: 'user', content: 'after the crash' });
        return { token: lease.token, history: history.map((m) => [m.seq, m.content]), acquiredAfterMs };
      },
      { waitMs: 30_000 },
    );

    // ... and the next run got it soon after (acquire polls with backoff; the margin absorbs a busy machine).
    expect(acquiredAfterMs).toBeLessThanOrEqual(ttlMs + 3_000);
    expect(token).toBeGreaterThan(holderToken);
    expect(history).toEqual([
      [1, 'committed 1'],
      [2, 'committed 2'],
      [3, 'committed 3'],
    ]);
    expect((await manager.messages(key)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('keeps seq and messageCount consistent when truncates race appends from another process', async ({ expect }) => {
    const path = database();
    const key = { userId: 'u', sessionId: 'raced' };
    const engine = await openEngine(path);
    await new SessionManager({ engine }).create(key);

    const total = 400;
    const appender = worker('append', { path, ...key, messages: total });
    await appender.next();
    appender.send('go');
    const finished = appender.next();
    let done = false;
    // Stop on failure too: the await below then reports the worker's error.
    const stop = () => (done = true);
    finished.then(stop, stop);
    let truncated = 0;
    let truncates = 0;
    while (!done) {
      const session = (await engine.getSession(key))!;
      // Keep a random part of what is there now; an append may land before or after the truncate.
      truncated += await engine.truncateMessages(key, { afterSeq: Math.floor(Math.random() * (session.lastSeq + 1)), updatedAt: new Date() });
      truncates++;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
    }
    expect(await finished).toEqual({ appended: total });
    await appender.exited;

    const reader = rawReader(path);
    try {
      const messages = await reader.messages(key);
      const seqs = messages.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      // Every append got a fresh seq (none reused after a truncate), and every message is either kept or counted as truncated.
      expect(await reader.session(key)).toMatchObject({ lastSeq: total, messageCount: messages.length });
      expect(messages.length + truncated).toBe(total);
      // The worker's i-th append got seq i + 1 whatever was truncated meanwhile.
      expect(messages.every((m) => m.content === String(m.seq - 1))).toBe(true);
      expect(truncates).toBeGreaterThan(10);
    } finally {
      reader.close();
    }
  });

  it('sets up one brand-new file from 4 processes at once, applying the schema once', async ({ expect }) => {
    const path = database();
    const starting = [0, 1, 2, 3].map((id) => worker('setup', { path, userId: 'u', sessionId: `s${id}`, worker: id, barrierBeforeSetup: true }));
    await Promise.all(starting.map((w) => w.next()));
    for (const w of starting) w.send('go');
    expect(await Promise.all(starting.map((w) => w.next()))).toEqual(Array.from({ length: 4 }, () => ({ created: true })));
    await Promise.all(starting.map((w) => w.exited));

    const engine = await openEngine(path);
    expect(await engine.count('sessions', {})).toBe(4);
    const versions = engine.database!.prepare('SELECT version FROM sessions_schema_version').all();
    expect(versions).toEqual([{ version: 1 }]);
  });
});
