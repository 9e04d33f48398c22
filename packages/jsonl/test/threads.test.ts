import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { SessionManager } from '@sessions/core';
import { JsonlEngine } from '../src/index.js';
import { removeDir, tempDir } from './temp-dir.js';

const THREAD_WORKER = fileURLToPath(new URL('./fixtures/thread-worker.mjs', import.meta.url));
let dir: string;
let engine: JsonlEngine;

afterEach(async () => {
  await engine.close();
  removeDir(dir);
});

it('serialises appends from worker threads of one process (same pid, separate module state) through the lock files', async () => {
  dir = tempDir();
  engine = new JsonlEngine({ dir });
  await engine.setup();
  const manager = new SessionManager({ engine });
  const key = { userId: 'u', sessionId: 'threads' };
  await manager.create(key);
  const names = ['t0', 't1', 't2'];
  const local = (async () => {
    for (let i = 0; i < 40; i++)
      await manager.append(key, [
        { role: 'user', content: `main-${i}-a` },
        { role: 'assistant', content: `main-${i}-b` },
      ]);
  })();
  await Promise.all([
    local,
    ...names.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(THREAD_WORKER, { workerData: { dir, key, name, batches: 40 } });
          worker.once('message', () => resolve());
          worker.once('error', reject);
        }),
    ),
  ]);
  const messages = await manager.messages(key);
  expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 320 }, (_, i) => i + 1));
  for (let i = 0; i < messages.length; i += 2) expect(messages[i + 1]!.content).toBe(String(messages[i]!.content).replace(/-a$/, '-b'));
  for (const name of [...names, 'main']) {
    expect(messages.filter((m) => String(m.content).startsWith(`${name}-`) && m.role === 'user').map((m) => m.content)).toEqual(
      Array.from({ length: 40 }, (_, i) => `${name}-${i}-a`),
    );
  }
}, 60_000);
