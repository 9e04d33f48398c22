import { copyFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MemoryEngine, StorageError, type Engine, type SessionKey } from '@sessions/core';
import { type LeaseInfo } from '@sessions/core/engine';
import { CorruptFileError, JsonlEngine } from '../src/index.js';
import { sessionFiles } from './raw-store.js';
import { testScope } from './temp-dir.js';

// Ids whose code-point order differs from JavaScript's UTF-16 `<` (U+E000 and U+FFFD sort
// before astral characters by code point, after them by code unit), from the order of their
// encoded file names (`B` is `%42`, after `a`), and long enough to get hashed names.
const USERS = ['a', 'B', '\u{E000}', '\u{1F600}', 'x'.repeat(200)];
const SESSIONS = ['s', 'S', '\u{FFFD}', '\u{1D11E}', 's2', '../up', 'y'.repeat(130), `${'y'.repeat(129)}z`];

const withoutExpiry = (leases: LeaseInfo[]) => leases.map(({ expiresAt, ...rest }) => ({ ...rest, released: expiresAt === null }));

describe('listLeases on lease files', () => {
  const { freshDir, track } = testScope();

  async function open<E extends Engine>(engine: E): Promise<E> {
    track(engine);
    await engine.setup();
    return engine;
  }

  it('orders keys by code point and pages by keyset exactly as MemoryEngine does', async () => {
    const jsonl = await open(new JsonlEngine({ dir: freshDir(), fsync: false }));
    const memory = await open(new MemoryEngine());
    const keys: SessionKey[] = USERS.flatMap((userId) => SESSIONS.map((sessionId) => ({ userId, sessionId })));
    for (const [i, key] of keys.entries()) {
      for (const engine of [jsonl, memory]) {
        const grant = await engine.acquireLease(key, { owner: `o${i}`, ttlMs: 60_000 });
        if (!grant.acquired) throw new Error('a fresh key was not granted');
        if (i % 3 === 0) await engine.releaseLease(grant.lease);
      }
    }

    for (const query of [{}, { held: true }, { held: false }, { userId: '\u{E000}' }, { userId: 'x'.repeat(200), held: true }, { userId: 'nobody' }]) {
      const expected = withoutExpiry(await memory.listLeases({ ...query, limit: 1_000 }));
      expect(withoutExpiry(await jsonl.listLeases({ ...query, limit: 1_000 }))).toEqual(expected);
    }
    expect(await jsonl.listLeases({ limit: 1_000 })).toHaveLength(keys.length);

    for (const userId of [undefined, ...USERS]) {
      const expected = withoutExpiry(await memory.listLeases({ userId, limit: 1_000 }));
      const paged: LeaseInfo[] = [];
      for (;;) {
        const page = await jsonl.listLeases({ userId, limit: 3, ...(paged.length > 0 ? { after: paged.at(-1)! } : {}) });
        paged.push(...page);
        if (page.length < 3) break;
      }
      expect(withoutExpiry(paged)).toEqual(expected);
    }
  });

  it('reads lease files without waiting for a session lock another writer holds', async () => {
    const dir = freshDir();
    const engine = await open(new JsonlEngine({ dir, lockTimeoutMs: 300 }));
    const key = { userId: 'u', sessionId: 'busy' };
    const grant = await engine.acquireLease(key, { owner: 'w', ttlMs: 60_000 });
    if (!grant.acquired) throw new Error('a fresh key was not granted');
    // A live lock of another thread of this process: writes must wait for it, a listing need not.
    await writeFile(
      sessionFiles(dir, key).lock,
      JSON.stringify({ pid: process.pid, thread: 12_345, host: hostname(), token: 'planted', acquiredAt: new Date().toISOString() }),
    );
    await expect(engine.renewLease(grant.lease, { ttlMs: 60_000 })).rejects.toBeInstanceOf(StorageError);
    const started = performance.now();
    expect(await engine.listLeases()).toEqual([{ ...key, owner: 'w', token: grant.lease.token, expiresAt: grant.lease.expiresAt, held: true }]);
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('judges held on the store clock, and keeps the expiry of a lapsed lease', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z');
    const engine = await open(new JsonlEngine({ dir: freshDir(), fsync: false, clock: () => now }));
    const key = { userId: 'u', sessionId: 's' };
    await engine.acquireLease(key, { owner: 'w', ttlMs: 1_000 });
    expect(await engine.listLeases({ held: true })).toMatchObject([{ ...key, held: true, expiresAt: new Date(now + 1_000) }]);
    now += 1_000;
    expect(await engine.listLeases({ held: false })).toMatchObject([{ ...key, held: false, expiresAt: new Date(now) }]);
    expect(await engine.listLeases({ held: true })).toEqual([]);
  });

  it('reports a lease file copied under another session name instead of listing it', async () => {
    const dir = freshDir();
    const engine = await open(new JsonlEngine({ dir, fsync: false }));
    const key = { userId: 'u', sessionId: 'original' };
    await engine.acquireLease(key, { owner: 'w', ttlMs: 60_000 });
    await copyFile(sessionFiles(dir, key).lease, sessionFiles(dir, { userId: 'u', sessionId: 'copy' }).lease);
    const error = await engine.listLeases().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toBeInstanceOf(CorruptFileError);
  });
});
