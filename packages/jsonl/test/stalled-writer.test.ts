import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager, StorageError, type SessionKey } from '@sessions/core';
import { JsonlEngine, LockTimeoutError } from '../src/index.js';
import { sessionFiles } from './raw-store.js';
import { removeDir, tempDir } from './temp-dir.js';
import { startStallingWriter, type WorkerProcess } from './worker-process.js';

const key: SessionKey = { userId: 'u', sessionId: 'stalled' };
const LOCK_STALE_MS = 300;

/** Where another process may break a stalled writer's lock: its liveness cannot be checked from here. */
const UNCHECKABLE = [
  ['on another host (a folder shared over the network)', { host: `not-${hostname()}` }],
  ['on a system without /proc (no process start time recorded)', { noProc: true }],
] as const;

describe('a writer stalled while holding the lock (SIGSTOP past lockStaleMs)', () => {
  let dir: string;
  let engine: JsonlEngine;
  const children: WorkerProcess[] = [];

  async function open(options: { lockTimeoutMs?: number } = {}): Promise<SessionManager> {
    dir = tempDir();
    engine = new JsonlEngine({ dir, fsync: false, lockStaleMs: LOCK_STALE_MS, ...options });
    await engine.setup();
    const manager = new SessionManager({ engine });
    await manager.create({
      ...key,
      messages: [
        { role: 'user', content: 'seed-1' },
        { role: 'user', content: 'seed-2' },
      ],
    });
    return manager;
  }

  function stallingWriter(options: object): WorkerProcess {
    const child = startStallingWriter({ dir, key, lockStaleMs: LOCK_STALE_MS, content: 'H-0', ...options });
    children.push(child);
    return child;
  }

  /** Lets a stopped writer go on and returns what it reported: "ok" or "error <code> <name>". */
  async function resume(child: WorkerProcess): Promise<string> {
    child.kill('SIGCONT');
    const outcome = await child.exited;
    expect(outcome, outcome.stderr).toMatchObject({ code: 0 });
    return child
      .lines()
      .filter((line) => line !== 'stalled')
      .join('\n');
  }

  async function contents(manager: SessionManager): Promise<string[]> {
    return (await manager.messages(key)).map((m) => String(m.content));
  }

  /** The messages file as `jq` sees it: the committed lines first, in seq order. */
  async function committedLines(): Promise<Array<{ seq: number; content: string }>> {
    const { session } = JSON.parse(await readFile(sessionFiles(dir, key).session, 'utf8')) as { session: { messageCount: number } };
    const lines = (await readFile(sessionFiles(dir, key).messages, 'utf8')).split('\n').filter(Boolean);
    return lines.slice(0, session.messageCount).map((line) => JSON.parse(line) as { seq: number; content: string });
  }

  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await child.exited;
    }
    await engine.close();
    removeDir(dir);
  });

  it('is never overtaken on this host while its process lives: others time out, naming it, and nothing is lost', async () => {
    const manager = await open({ lockTimeoutMs: 1_500 });
    const holder = stallingWriter({ mode: 'append', pause: { at: 'open', match: '.messages.jsonl' } });
    await holder.waitFor('stalled', 20_000);

    // Five times lockStaleMs and more: the holder is alive and started when its lock says, so its lock stands.
    const error = await manager.append(key, { role: 'user', content: 'T-0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).cause).toBeInstanceOf(LockTimeoutError);
    expect((error as Error).message).toContain(`held by pid ${holder.pid}`);

    expect(await resume(holder)).toBe('ok');
    for (let i = 1; i <= 5; i++) await manager.append(key, { role: 'user', content: `T-${i}` });
    expect(await contents(manager)).toEqual(['seed-1', 'seed-2', 'H-0', 'T-1', 'T-2', 'T-3', 'T-4', 'T-5']);
  }, 60_000);

  describe.each(UNCHECKABLE)('%s, where its lock is broken after lockStaleMs', (_, where) => {
    it.each([
      ['before opening the messages file', { at: 'open', match: '.messages.jsonl' }],
      ["just before writing its line (which then lands after the new holder's)", { at: 'write', match: 'H-0' }],
      ['with its line written but not committed', { at: 'rename', match: '.session.json' }],
    ])(
      'stopped %s: its write fails, nothing of it counts, and the new holder keeps every acknowledged message',
      async (_, pause) => {
        const manager = await open();
        const holder = stallingWriter({ ...where, mode: 'append', pause });
        await holder.waitFor('stalled', 20_000);
        const acknowledged = ['seed-1', 'seed-2'];
        for (let i = 0; i < 5; i++) {
          await manager.append(key, { role: 'user', content: `T-${i}` });
          acknowledged.push(`T-${i}`);
        }

        expect(await resume(holder)).toMatch(/^error \S+ LockLostError$/);
        expect(await contents(manager)).toEqual(acknowledged);
        expect(await manager.get(key)).toMatchObject({ lastSeq: 7, messageCount: 7 });
        // Read from the end of the file too, where a line it got onto the disk may sit.
        expect(await manager.messages(key, { last: 2 })).toMatchObject([{ content: 'T-3' }, { content: 'T-4' }]);
        await manager.append(key, { role: 'user', content: 'after' });
        expect(await contents(manager)).toEqual([...acknowledged, 'after']);
        expect((await committedLines()).map((line) => line.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(await readFile(sessionFiles(dir, key).messages, 'utf8')).not.toContain('H-0');
      },
      60_000,
    );

    it("run(): a holder whose lease expired and was taken over gets LockExpiredError, and the new holder's turn stays", async () => {
      const manager = await open();
      const lockTtlMs = 600;
      const holder = stallingWriter({ ...where, mode: 'run', lockTtlMs, pause: { at: 'open', match: '.messages.jsonl' } });
      await holder.waitFor('stalled', 20_000);
      const token = await manager.run(
        key,
        async ({ lease, append }) => {
          await append({ role: 'assistant', content: 'T-run' });
          return lease.token;
        },
        { waitMs: 20_000 },
      );
      expect(token).toBe(2);

      expect(await resume(holder)).toMatch(/^error LOCK_EXPIRED /);
      expect(await contents(manager)).toEqual(['seed-1', 'seed-2', 'T-run']);
    }, 60_000);
  });
});
