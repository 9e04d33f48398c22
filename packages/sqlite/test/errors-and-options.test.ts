import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, it } from 'vitest';
import { createEngine, eq, like, NotSetUpError, SessionManager, StorageError, ValidationError } from '@sessions/core';
import { fromUrl, SqliteEngine } from '../src/index.js';
import { fileScope } from './file-scope.js';

const { newDir, track } = fileScope();

describe('opening a database', () => {
  it('explains a path whose directory does not exist, with a typed StorageError', async ({ expect }) => {
    const missing = join(newDir(), 'no', 'such', 'dir', 'x.db');
    const engine = track(new SqliteEngine({ path: missing }));
    const error = await engine.setup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('STORAGE');
    expect((error as Error).message).toContain(`the directory ${join(missing, '..')} does not exist: create it first`);
    await expect(engine.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(NotSetUpError);
  });

  it('explains a path that is a directory', async ({ expect }) => {
    const dir = newDir();
    const engine = track(new SqliteEngine({ path: dir }));
    await expect(engine.setup()).rejects.toThrow(`${dir} is a directory: give the path of a database file inside it`);
  });

  it('reports a file that is not a database, and leaves it untouched', async ({ expect }) => {
    const path = join(newDir(), 'notes.db');
    const notes = 'these are my notes, not a database '.repeat(100);
    writeFileSync(path, notes);
    const engine = track(new SqliteEngine({ path }));
    const error = await engine.setup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/file is not a database/);
    expect(readFileSync(path, 'utf8')).toBe(notes);
  });

  it('can retry setup() once the problem is fixed', async ({ expect }) => {
    const dir = join(newDir(), 'later');
    const engine = track(new SqliteEngine({ path: join(dir, 'x.db') }));
    await expect(engine.setup()).rejects.toBeInstanceOf(StorageError);
    mkdirSync(dir);
    await engine.setup();
    expect(engine.isReady).toBe(true);
  });

  it('rejects bad options with a ValidationError before touching the disk', ({ expect }) => {
    const bad: unknown[] = [
      undefined,
      {},
      { path: '' },
      { path: 42 },
      { path: 'a\u0000b' },
      { path: 'file:x.db' },
      { path: 'x.db', database: new Database(':memory:') },
      { database: {} },
      { path: 'x.db', synchronous: 'SOMETIMES' },
      { path: 'x.db', busyTimeoutMs: -1 },
      { path: 'x.db', retryTimeoutMs: 1.5 },
      { path: 'x.db', tablePrefix: 'x; DROP TABLE y' },
    ];
    for (const options of bad) expect(() => new SqliteEngine(options as never), JSON.stringify(options)).toThrow(ValidationError);
  });
});

describe('fromUrl and createEngine', () => {
  it('reads relative, absolute and in-memory sqlite URLs', ({ expect }) => {
    expect(fromUrl('sqlite:./data/sessions.db').path).toBe(resolve('data/sessions.db'));
    expect(fromUrl('sqlite:/abs/sessions.db').path).toBe('/abs/sessions.db');
    expect(fromUrl('sqlite:///abs/sessions.db').path).toBe('/abs/sessions.db');
    const memory = fromUrl('sqlite::memory:');
    expect(memory.path).toBeUndefined();
    expect(memory.capabilities).toMatchObject({ persistent: false, crossProcess: false });
    expect(fromUrl('sqlite:./x.db').capabilities).toMatchObject({ persistent: true, crossProcess: true });
  });

  it('takes tuning as query parameters and rejects unknown ones', async ({ expect }) => {
    const dir = newDir();
    const engine = track(fromUrl(`sqlite:${dir}/t.db?synchronous=full&busyTimeoutMs=2&retryTimeoutMs=500&tablePrefix=app_`));
    await engine.setup();
    expect(engine.database!.pragma('synchronous', { simple: true })).toBe(2);
    expect(engine.database!.pragma('busy_timeout', { simple: true })).toBe(2);
    expect(engine.database!.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'app_sessions'").get()).toEqual({ n: 1 });
    expect(() => fromUrl('sqlite:./x.db?cache=shared')).toThrow(/unknown option "cache"/);
    expect(() => fromUrl('sqlite:./x.db?busyTimeoutMs=soon')).toThrow(ValidationError);
    expect(() => fromUrl('sqlite:')).toThrow(/names no database/);
    expect(() => fromUrl('postgres://localhost/x')).toThrow(ValidationError);
  });

  it("is what core's createEngine builds for sqlite: URLs", async ({ expect }) => {
    const dir = newDir();
    const engine = track((await createEngine(`sqlite:${dir}/created.db`)) as SqliteEngine);
    // createEngine loads the built package (dist), these tests import the sources.
    expect(engine.constructor.name).toBe('SqliteEngine');
    expect(engine.path).toBe(`${dir}/created.db`);
    await engine.setup();
    const manager = new SessionManager({ engine });
    const session = await manager.create({ userId: 'u' });
    expect(await manager.get(session)).toMatchObject({ userId: 'u' });
  });
});

describe('lifecycle', () => {
  it('never closes an injected database, and works on it like on its own', async ({ expect }) => {
    const path = join(newDir(), 'injected.db');
    const db = new Database(path);
    const engine = new SqliteEngine({ database: db });
    expect(engine.path).toBe(path);
    await engine.setup();
    await new SessionManager({ engine }).create({ userId: 'u', sessionId: 's' });
    await engine.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT session_id FROM sessions').pluck().all()).toEqual(['s']);
    db.close();
  });

  it('treats an injected in-memory database as neither persistent nor shared', ({ expect }) => {
    const db = new Database(':memory:');
    expect(new SqliteEngine({ database: db }).capabilities).toMatchObject({ persistent: false, crossProcess: false });
    db.close();
  });
});

describe('hostile input', () => {
  const hostile = [
    `'; DROP TABLE sessions; --`,
    `" OR 1=1 --`,
    `\\'\\"`,
    `Robert'); DELETE FROM messages;--`,
    '😀𝄞🀄 4-byte',
    '％ＳＱＬ',
    '$.metadata',
    '[*?]',
    'tab\tand\nnewline',
  ];

  it('stores ids, titles, metadata and content that look like SQL or use 4-byte characters exactly as given', async ({ expect }) => {
    const engine = track(new SqliteEngine({ path: join(newDir(), 'hostile.db') }));
    await engine.setup();
    const manager = new SessionManager({ engine });
    for (const [i, text] of hostile.entries()) {
      const key = { userId: `user ${text.replace(/[\t\n]/g, ' ')}`, sessionId: `session ${i} ${text.replace(/[\t\n]/g, ' ')}` };
      const metadata = { [text]: text, nested: { quote: `'${text}'`, list: [text, 1, null, true] } };
      await manager.create({ ...key, title: text, metadata, state: { text } });
      const [message] = await manager.append(key, { role: 'user', content: [{ type: 'text', text }], name: 'n', metadata: { text } });
      expect(await manager.get(key)).toMatchObject({ ...key, title: text, metadata, state: { text } });
      expect(await manager.messages(key)).toEqual([message]);
      expect((await manager.list({ userId: key.userId, where: eq('metadata.nested.quote', `'${text}'`) })).sessions.map((s) => s.title)).toEqual([text]);
      expect((await manager.list({ userId: key.userId, where: like('title', text.replace(/[%_\\]/g, '\\$&')) })).sessions).toHaveLength(1);
    }
    expect(await engine.count('sessions')).toBe(hostile.length);
    expect(await engine.count('messages')).toBe(hostile.length);
  });
});
