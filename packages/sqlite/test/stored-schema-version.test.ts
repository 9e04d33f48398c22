import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { describe, it } from 'vitest';
import { NotSetUpError, StorageError } from '@sessions/core';
import { BusyTimeoutError, SCHEMA_VERSION, SqliteEngine } from '../src/index.js';
import { fileScope } from './file-scope.js';

const { newDir, track, connect } = fileScope();

function tableNamesIn(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((row) => row.name);
}

describe('storedSchemaVersion', () => {
  it('is null for a file that does not exist, and asking creates neither the file nor its -wal, -shm or -journal', async ({ expect }) => {
    const dir = newDir();
    const engine = track(new SqliteEngine({ path: join(dir, 'sessions.db') }));
    expect(await engine.storedSchemaVersion()).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
    await expect(engine.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(NotSetUpError);
  });

  it('is null when the directory does not exist either, and creates no directory', async ({ expect }) => {
    const dir = newDir();
    const engine = track(new SqliteEngine({ path: join(dir, 'typo', 'sessions.db') }));
    expect(await engine.storedSchemaVersion()).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is SCHEMA_VERSION after setup(), and a second engine on the file sees it before its own setup()', async ({ expect }) => {
    const path = join(newDir(), 'sessions.db');
    const first = track(new SqliteEngine({ path }));
    await first.setup();
    expect(await first.storedSchemaVersion()).toBe(SCHEMA_VERSION);
    const second = track(new SqliteEngine({ path }));
    expect(await second.storedSchemaVersion()).toBe(SCHEMA_VERSION);
    expect(second.isReady).toBe(false);
    expect(second.database).toBeUndefined();
  });

  it('leaves only the database file behind when asked about a closed store', async ({ expect }) => {
    const dir = newDir();
    const path = join(dir, 'sessions.db');
    const writer = new SqliteEngine({ path });
    await writer.setup();
    await writer.close();
    expect(readdirSync(dir)).toEqual(['sessions.db']);
    const before = readFileSync(path);
    const reader = track(new SqliteEngine({ path }));
    expect(await reader.storedSchemaVersion()).toBe(SCHEMA_VERSION);
    // A read-only connection to a WAL file would leave sessions.db-wal and sessions.db-shm here.
    expect(readdirSync(dir)).toEqual(['sessions.db']);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('is null for a database of another program, which asking leaves exactly as it was', async ({ expect }) => {
    const dir = newDir();
    const path = join(dir, 'app.db');
    const other = connect(path);
    other.exec('CREATE TABLE notes (body TEXT)');
    other.close();
    const before = readFileSync(path);
    const engine = track(new SqliteEngine({ path }));
    expect(await engine.storedSchemaVersion()).toBeNull();
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['app.db']);
  });

  it('reads the version of its own tablePrefix only', async ({ expect }) => {
    const path = join(newDir(), 'sessions.db');
    await using chat = new SqliteEngine({ path, tablePrefix: 'chat_' });
    await chat.setup();
    expect(await track(new SqliteEngine({ path, tablePrefix: 'chat_' })).storedSchemaVersion()).toBe(SCHEMA_VERSION);
    expect(await track(new SqliteEngine({ path })).storedSchemaVersion()).toBeNull();
    expect(await track(new SqliteEngine({ path, tablePrefix: 'mail_' })).storedSchemaVersion()).toBeNull();
  });

  it('reports a version newer than this release understands as it is, where setup() refuses it', async ({ expect }) => {
    const path = join(newDir(), 'sessions.db');
    const writer = new SqliteEngine({ path });
    await writer.setup();
    await writer.close();
    const db = connect(path);
    db.prepare(`INSERT INTO sessions_schema_version (version, applied_at, description) VALUES (?, ?, 'from the future')`).run(SCHEMA_VERSION + 1, Date.now());
    db.close();
    const engine = track(new SqliteEngine({ path }));
    expect(await engine.storedSchemaVersion()).toBe(SCHEMA_VERSION + 1);
    await expect(engine.setup()).rejects.toThrow(/upgrade/i);
  });

  it('fails with a StorageError for a file that is not a database, and leaves it untouched', async ({ expect }) => {
    const path = join(newDir(), 'notes.db');
    const notes = 'these are my notes, not a database '.repeat(100);
    writeFileSync(path, notes);
    const error = await track(new SqliteEngine({ path }))
      .storedSchemaVersion()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/file is not a database/);
    expect(readFileSync(path, 'utf8')).toBe(notes);
  });

  it('fails with a StorageError that explains a path that is a directory', async ({ expect }) => {
    const dir = join(newDir(), 'data');
    mkdirSync(dir);
    const error = await track(new SqliteEngine({ path: dir }))
      .storedSchemaVersion()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain(`${dir} is a directory`);
  });

  it('reads an injected database without creating tables in it or closing it', async ({ expect }) => {
    const db = connect(':memory:');
    const engine = track(new SqliteEngine({ database: db }));
    expect(await engine.storedSchemaVersion()).toBeNull();
    expect(tableNamesIn(db)).toEqual([]);
    await engine.setup();
    expect(await engine.storedSchemaVersion()).toBe(SCHEMA_VERSION);
    await engine.close();
    expect(db.open).toBe(true);
    expect(tableNamesIn(db)).toContain('sessions_schema_version');
  });

  it('is null for :memory: before setup(), and SCHEMA_VERSION after', async ({ expect }) => {
    const engine = track(new SqliteEngine({ path: ':memory:' }));
    expect(await engine.storedSchemaVersion()).toBeNull();
    expect(engine.database).toBeUndefined();
    await engine.setup();
    expect(await engine.storedSchemaVersion()).toBe(SCHEMA_VERSION);
  });

  describe('while another connection holds an exclusive lock on a rollback-journal file', () => {
    function lockedStore(): { path: string; holder: Database.Database } {
      const path = join(newDir(), 'sessions.db');
      const setup = connect(path);
      // A rollback-journal file (not WAL), where a writer's exclusive lock blocks readers too.
      setup.exec(`CREATE TABLE sessions_schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL, description TEXT NOT NULL) STRICT`);
      setup.prepare(`INSERT INTO sessions_schema_version VALUES (?, ?, 'test')`).run(SCHEMA_VERSION, Date.now());
      setup.close();
      const holder = connect(path);
      holder.exec('BEGIN EXCLUSIVE');
      return { path, holder };
    }

    it('waits for the lock, then reads the version', async ({ expect }) => {
      const { path, holder } = lockedStore();
      const engine = track(new SqliteEngine({ path, busyTimeoutMs: 0 }));
      const asked = engine.storedSchemaVersion();
      setTimeout(() => holder.exec('COMMIT'), 30);
      expect(await asked).toBe(SCHEMA_VERSION);
    });

    it('gives up after retryTimeoutMs with a StorageError caused by BusyTimeoutError', async ({ expect }) => {
      const { path } = lockedStore();
      const engine = track(new SqliteEngine({ path, busyTimeoutMs: 0, retryTimeoutMs: 20 }));
      const error = await engine.storedSchemaVersion().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).cause).toBeInstanceOf(BusyTimeoutError);
    });

    it('stops waiting when the signal aborts', async ({ expect }) => {
      const { path } = lockedStore();
      const engine = track(new SqliteEngine({ path, busyTimeoutMs: 0 }));
      const controller = new AbortController();
      const reason = new Error('no longer needed');
      setTimeout(() => controller.abort(reason), 20);
      await expect(engine.storedSchemaVersion({ signal: controller.signal })).rejects.toBe(reason);
    });
  });
});
