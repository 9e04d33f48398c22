import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotSetUpError, SchemaVersionError, SessionManager, StorageError } from '@sessions/core';
import { CorruptFileError, FORMAT_VERSION, JsonlEngine } from '../src/index.js';
import { sessionFiles } from './raw-store.js';
import { testScope } from './temp-dir.js';

describe('storedSchemaVersion() on a JSONL folder', () => {
  const { freshDir, track } = testScope();
  const engineOn = (dir: string): JsonlEngine => track(new JsonlEngine({ dir }));

  it('is null for a folder that does not exist, and does not create it or its parents', async () => {
    const parent = freshDir();
    const dir = join(parent, 'missing', 'store');
    const engine = engineOn(dir);

    expect(await engine.storedSchemaVersion()).toBeNull();
    expect(await engine.storedSchemaVersion()).toBeNull();
    expect(existsSync(join(parent, 'missing'))).toBe(false);
    expect(await readdir(parent)).toEqual([]);
    await expect(engine.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(NotSetUpError);
  });

  it('is null for an empty folder and writes nothing into it', async () => {
    const dir = freshDir();
    expect(await engineOn(dir).storedSchemaVersion()).toBeNull();
    expect(await readdir(dir)).toEqual([]);
  });

  it('is null for a folder of something else, which it leaves as it is', async () => {
    const dir = freshDir();
    await writeFile(join(dir, 'notes.txt'), 'not a store\n');
    expect(await engineOn(dir).storedSchemaVersion()).toBeNull();
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('is FORMAT_VERSION after setup(), as format.json records it', async () => {
    const dir = freshDir();
    const engine = engineOn(dir);
    await engine.setup();

    expect(await engine.storedSchemaVersion()).toBe(FORMAT_VERSION);
    expect(JSON.parse(await readFile(join(dir, 'format.json'), 'utf8'))).toEqual({ format: 'sessions-jsonl', version: FORMAT_VERSION });
  });

  it('reports a newer version as recorded, which setup() then refuses', async () => {
    const dir = freshDir();
    const newer = `${JSON.stringify({ format: 'sessions-jsonl', version: FORMAT_VERSION + 1 })}\n`;
    await writeFile(join(dir, 'format.json'), newer);
    const engine = engineOn(dir);

    expect(await engine.storedSchemaVersion()).toBe(FORMAT_VERSION + 1);
    await expect(engine.setup()).rejects.toBeInstanceOf(SchemaVersionError);
    expect(await readFile(join(dir, 'format.json'), 'utf8')).toBe(newer);
  });

  it('migrates a version 1 folder in place: its sessions read and append as before, and a lock file of version 1 left by a crash is broken', async () => {
    const dir = freshDir();
    const key = { userId: 'u', sessionId: 's' };
    const writer = engineOn(dir);
    await writer.setup();
    const manager = new SessionManager({ engine: writer });
    await manager.create({ ...key, messages: [{ role: 'user', content: 'kept' }] });
    await writer.close();
    // What version 1 left: its format.json, and the lock file (not folder) of a process that died holding it.
    await writeFile(join(dir, 'format.json'), `${JSON.stringify({ format: 'sessions-jsonl', version: 1 }, null, 2)}\n`);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lock = sessionFiles(dir, key).lock;
    await writeFile(lock, JSON.stringify({ pid: Number(dead.stdout), thread: 0, host: hostname(), token: 'v1', acquiredAt: new Date().toISOString() }));

    const upgraded = engineOn(dir);
    expect(await upgraded.storedSchemaVersion()).toBe(1);
    await upgraded.setup();
    expect(await upgraded.storedSchemaVersion()).toBe(FORMAT_VERSION);
    const next = new SessionManager({ engine: upgraded });
    expect((await next.messages(key)).map((m) => m.content)).toEqual(['kept']);
    await next.append(key, { role: 'user', content: 'after the upgrade' });
    expect((await next.messages(key)).map((m) => [m.seq, m.content])).toEqual([
      [1, 'kept'],
      [2, 'after the upgrade'],
    ]);
    expect(existsSync(lock)).toBe(false);
  });

  it.each([
    ['is not JSON', '{"format": "sessions-jsonl", '],
    ['names another format', '{"format":"something-else","version":1}'],
    ['has no version', '{"format":"sessions-jsonl"}'],
    ['has a fractional version', '{"format":"sessions-jsonl","version":1.5}'],
    ['has a version below 1', '{"format":"sessions-jsonl","version":0}'],
  ])('fails with a StorageError, file untouched, when format.json %s', async (_, text) => {
    const dir = freshDir();
    await writeFile(join(dir, 'format.json'), text);
    const error = await engineOn(dir)
      .storedSchemaVersion()
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toBeInstanceOf(CorruptFileError);
    expect((error as Error).message).toContain('format.json');
    expect(await readFile(join(dir, 'format.json'), 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['format.json']);
  });

  it('fails with a StorageError, not a raw fs error, when the path is a file', async () => {
    const parent = freshDir();
    const file = join(parent, 'a-file');
    await writeFile(file, 'x');
    const error = await engineOn(file)
      .storedSchemaVersion()
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StorageError);
    expect(((error as StorageError).cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });

  it('fails with a StorageError when format.json cannot be read as a file', async () => {
    const dir = freshDir();
    await mkdir(join(dir, 'format.json'));
    const error = await engineOn(dir)
      .storedSchemaVersion()
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StorageError);
    expect(((error as StorageError).cause as NodeJS.ErrnoException).code).toBe('EISDIR');
  });

  it('throws the reason of an aborted signal without reading', async () => {
    const dir = freshDir();
    const reason = new Error('stopped by the caller');
    await expect(engineOn(dir).storedSchemaVersion({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
