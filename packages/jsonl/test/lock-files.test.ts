import { spawn, spawnSync } from 'node:child_process';
import { access, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClosedError, SessionManager, StorageError } from '@sessions/core';
import { JsonlEngine, LockTimeoutError } from '../src/index.js';
import { sessionFiles } from './raw-store.js';
import { removeDir, tempDir } from './temp-dir.js';

const key = { userId: 'u', sessionId: 'locked' };

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function plantLock(dir: string, content: string): Promise<string> {
  const file = sessionFiles(dir, key).lock;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

const lockOf = (pid: number, acquiredAt = new Date(), thread = 0) =>
  JSON.stringify({ pid, thread, host: hostname(), token: 'planted', acquiredAt: acquiredAt.toISOString() });

/** A lock as this version takes it: a folder holding the holder's fence, with the owner record in it. */
async function plantLockFolder(dir: string, pid: number, startTime: string, acquiredAt: Date, pidNamespace: string | null = null): Promise<string> {
  const file = sessionFiles(dir, key).lock;
  await mkdir(join(file, 'planted'), { recursive: true });
  await writeFile(
    join(file, 'planted', 'owner.json'),
    JSON.stringify({ pid, thread: 0, host: hostname(), token: 'planted', acquiredAt: acquiredAt.toISOString(), startTime, pidNamespace }),
  );
  return file;
}

async function startTimeOf(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

const gone = (file: string) =>
  access(file).then(
    () => false,
    () => true,
  );

describe('lock files', () => {
  let dir: string;
  let engine: JsonlEngine;
  let manager: SessionManager;

  async function open(options: { lockTimeoutMs?: number; lockStaleMs?: number } = {}) {
    dir = tempDir();
    engine = new JsonlEngine({ dir, ...options });
    await engine.setup();
    manager = new SessionManager({ engine });
    await manager.create(key);
  }

  afterEach(async () => {
    await engine.close();
    removeDir(dir);
  });

  it('removes a lock file left by a dead process on this host and goes on at once', async () => {
    await open();
    const file = await plantLock(dir, lockOf(deadPid()));
    const started = performance.now();
    await manager.append(key, { role: 'user', content: 'not blocked' });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await gone(file)).toBe(true);
  });

  it('removes leftover temporary files of the crashed holder along with its lock file', async () => {
    await open();
    const files = sessionFiles(dir, key);
    await plantLock(dir, lockOf(deadPid()));
    await writeFile(`${files.session}.abcdef012345.tmp`, '{"half":');
    await manager.update(key, { title: 'after crash' });
    expect(await gone(`${files.session}.abcdef012345.tmp`)).toBe(true);
  });

  it('waits for a live holder and fails with a clear error naming it after lockTimeoutMs', async () => {
    await open({ lockTimeoutMs: 300 });
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await plantLock(dir, lockOf(sleeper.pid!));
      const started = performance.now();
      const error = await manager.append(key, { role: 'user', content: 'blocked' }).catch((e: unknown) => e);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).cause).toBeInstanceOf(LockTimeoutError);
      expect((error as Error).message).toContain(`held by pid ${sleeper.pid}`);
      expect(await manager.messages(key)).toEqual([]);
    } finally {
      sleeper.kill();
    }
  });

  it('takes over a lock file older than lockStaleMs even if its pid is alive (a recycled pid)', async () => {
    await open({ lockStaleMs: 1_000 });
    await plantLock(dir, lockOf(process.ppid, new Date(Date.now() - 5_000)));
    await manager.append(key, { role: 'user', content: 'took over' });
    expect((await manager.messages(key)).map((m) => m.content)).toEqual(['took over']);
  });

  it('never breaks the lock of a live process on this host that started when the lock says, however old the lock', async () => {
    await open({ lockStaleMs: 100, lockTimeoutMs: 600 });
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await plantLockFolder(dir, sleeper.pid!, await startTimeOf(sleeper.pid!), new Date(Date.now() - 60_000));
      await expect(manager.append(key, { role: 'user', content: 'blocked' })).rejects.toThrow(`held by pid ${sleeper.pid}`);
    } finally {
      sleeper.kill();
    }
  });

  it('breaks at once the lock of a live pid whose process started at another time (a recycled pid)', async () => {
    await open({ lockStaleMs: 60_000, lockTimeoutMs: 60_000 });
    const file = await plantLockFolder(dir, process.ppid, '1', new Date());
    const started = performance.now();
    await manager.append(key, { role: 'user', content: 'took over' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await gone(file)).toBe(true);
  });

  it('judges a lock taken in another pid namespace on this host (another container) by its age only', async () => {
    await open({ lockStaleMs: 2_000, lockTimeoutMs: 300 });
    // Its pid means nothing here: that no process has it in this namespace proves nothing.
    const file = await plantLockFolder(dir, deadPid(), '1', new Date(), 'pid:[1]');
    await expect(manager.append(key, { role: 'user', content: 'blocked' })).rejects.toThrow('held by pid');
    await rm(file, { recursive: true });
    await plantLockFolder(dir, deadPid(), '1', new Date(Date.now() - 10_000), 'pid:[1]');
    await manager.append(key, { role: 'user', content: 'old enough' });
    expect((await manager.messages(key)).map((m) => m.content)).toEqual(['old enough']);
  });

  it('takes at once a lock folder left empty by a holder that crashed while releasing it', async () => {
    await open({ lockStaleMs: 60_000, lockTimeoutMs: 60_000 });
    await mkdir(sessionFiles(dir, key).lock, { recursive: true });
    const started = performance.now();
    await manager.append(key, { role: 'user', content: 'not blocked' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await gone(sessionFiles(dir, key).lock)).toBe(true);
  });

  it('treats a lock file naming this process but none of its locks as left by an earlier process with the same pid', async () => {
    await open();
    await plantLock(dir, lockOf(process.pid));
    await manager.append(key, { role: 'user', content: 'recycled pid' });
    expect(await manager.messages(key)).toHaveLength(1);
  });

  it('respects a lock file of another thread of this process', async () => {
    await open({ lockTimeoutMs: 300 });
    await plantLock(dir, lockOf(process.pid, new Date(), 12_345));
    await expect(manager.append(key, { role: 'user', content: 'blocked' })).rejects.toThrow(`held by pid ${process.pid}`);
  });

  it('judges an unreadable lock file by its age', async () => {
    await open({ lockTimeoutMs: 400, lockStaleMs: 2_000 });
    const file = await plantLock(dir, '');
    await expect(manager.append(key, { role: 'user', content: 'young' })).rejects.toThrow(/unreadable lock file/);
    const old = new Date(Date.now() - 10_000);
    await utimes(file, old, old);
    await manager.append(key, { role: 'user', content: 'old' });
    expect((await manager.messages(key)).map((m) => m.content)).toEqual(['old']);
  });

  it('leaves no lock file behind, and close() stops waiters with EngineClosedError', async () => {
    await open({ lockTimeoutMs: 10_000 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => manager.append(key, { role: 'user', content: `c${i}` })));
    expect(await gone(sessionFiles(dir, key).lock)).toBe(true);

    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await plantLock(dir, lockOf(sleeper.pid!));
      const waiting = manager.append(key, { role: 'user', content: 'never' }).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await engine.close();
      expect(await waiting).toBeInstanceOf(EngineClosedError);
    } finally {
      sleeper.kill();
    }
  });
});
