import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, it } from 'vitest';
import { SessionManager, StorageError } from '@sessions/core';
import { BusyTimeoutError, SqliteEngine } from '../src/index.js';
import { removeTempDir, tempDir } from './helpers.js';

let dir: string;
let engine: SqliteEngine | undefined;
let other: Database.Database | undefined;

afterEach(async () => {
  if (other?.inTransaction) other.exec('ROLLBACK');
  other?.close();
  await engine?.close();
  removeTempDir(dir);
});

async function setup(options: { retryTimeoutMs?: number } = {}) {
  dir = tempDir();
  const path = join(dir, 'busy.db');
  engine = new SqliteEngine({ path, ...options });
  await engine.setup();
  const manager = new SessionManager({ engine });
  const key = { userId: 'u', sessionId: 's' };
  await manager.create(key);
  other = new Database(path, { timeout: 0 });
  return { manager, key };
}

/** Counts event-loop turns until stopped: a blocked loop counts none. */
function tickCounter() {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  return {
    stop() {
      clearInterval(timer);
      return ticks;
    },
  };
}

describe('waiting for another connection', () => {
  it('waits for a write lock held elsewhere without blocking the event loop, then writes', async ({ expect }) => {
    const { manager, key } = await setup();
    other!.exec('BEGIN IMMEDIATE');
    const counter = tickCounter();
    let settled = false;
    const appending = manager.append(key, { role: 'user', content: 'after the lock' }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    other!.exec('COMMIT');
    const [message] = await appending;
    const ticks = counter.stop();
    expect(message!.seq).toBe(1);
    // Heartbeats (timers) kept running throughout the wait.
    expect(ticks).toBeGreaterThan(30);
  });

  it('lets a lease be renewed while another connection holds the write lock for a while', async ({ expect }) => {
    const { manager, key } = await setup();
    const lease = await manager.acquire(key, { ttlMs: 5_000 });
    other!.exec('BEGIN IMMEDIATE');
    setTimeout(() => other!.exec('COMMIT'), 200);
    const renewed = await manager.renew(lease);
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt.getTime());
  });

  it('gives up after retryTimeoutMs with a StorageError that says the database stayed locked, writing nothing', async ({ expect }) => {
    const { manager, key } = await setup({ retryTimeoutMs: 200 });
    other!.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    const error = await manager.append(key, { role: 'user', content: 'never' }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toBeInstanceOf(BusyTimeoutError);
    expect((error as Error).message).toMatch(/stayed locked by another connection.*retryTimeoutMs/);
    other!.exec('ROLLBACK');
    expect(await manager.messages(key)).toEqual([]);
  });

  it('reads while another connection is in the middle of a write (WAL)', async ({ expect }) => {
    const { manager, key } = await setup();
    await manager.append(key, { role: 'user', content: 'committed' });
    other!.exec('BEGIN IMMEDIATE');
    other!.prepare('UPDATE messages SET content = \'"uncommitted"\'').run();
    expect((await manager.messages(key)).map((m) => m.content)).toEqual(['committed']);
    other!.exec('ROLLBACK');
  });
});
