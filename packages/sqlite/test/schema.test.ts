import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, it } from 'vitest';
import { SchemaVersionError, SessionManager, eq } from '@sessions/core';
import { LeaseModel, MessageModel, SessionModel, type ModelDefinition } from '@sessions/core/engine';
import { SCHEMA_VERSION, SqliteEngine } from '../src/index.js';
import { removeTempDir, tempDir } from './helpers.js';

let dir: string;
const engines: SqliteEngine[] = [];

function newPath(): string {
  dir = tempDir();
  return join(dir, 'sessions.db');
}

async function open(path: string, options: { tablePrefix?: string; synchronous?: 'FULL' | 'NORMAL' } = {}): Promise<SqliteEngine> {
  const engine = new SqliteEngine({ path, ...options });
  engines.push(engine);
  await engine.setup();
  return engine;
}

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
  removeTempDir(dir);
});

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

describe('schema', () => {
  it('builds every table from the core model definitions: columns, types, nullability and primary key', async ({ expect }) => {
    const engine = await open(newPath());
    const db = engine.database!;
    const models: Array<[ModelDefinition, string]> = [
      [SessionModel, 'sessions'],
      [MessageModel, 'messages'],
      [LeaseModel, 'leases'],
    ];
    for (const [model, table] of models) {
      const columns = db.prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid').all(table) as ColumnInfo[];
      expect(columns.map((c) => c.name)).toEqual(Object.values(model.fields).map((f) => f.column));
      for (const field of Object.values(model.fields)) {
        const column = columns.find((c) => c.name === field.column)!;
        expect(column.type).toBe(field.type === 'string' || field.type === 'json' ? 'TEXT' : 'INTEGER');
        expect(Boolean(column.notnull)).toBe(!field.nullable);
      }
      const primaryKey = columns
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      expect(primaryKey).toEqual(model.primaryKey.map((f) => model.fields[f]!.column));
    }
  });

  it('creates the indexes the models declare, for the hot paths', async ({ expect }) => {
    const engine = await open(newPath());
    const db = engine.database!;
    for (const model of [SessionModel, MessageModel]) {
      for (const index of model.indexes) {
        const columns = (db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').all(index.name) as Array<{ name: string }>).map((c) => c.name);
        expect(columns).toEqual(index.fields.map((f) => model.fields[f]!.column));
        const unique = (db.prepare('SELECT "unique" AS u FROM pragma_index_list(?) WHERE name = ?').get(model.name, index.name) as { u: number }).u;
        expect(Boolean(unique)).toBe(index.unique);
      }
    }
  });

  it("lists a user's sessions newest first by walking the user/updatedAt index, without sorting", async ({ expect }) => {
    const engine = await open(newPath());
    const manager = new SessionManager({ engine });
    await manager.create({ userId: 'u', metadata: { plan: 'pro' } });
    const statements: string[] = [];
    const db = engine.database!;
    const prepare = db.prepare.bind(db);
    db.prepare = (sql: string) => {
      statements.push(sql);
      return prepare(sql);
    };
    await manager.list({ userId: 'u', where: eq('metadata.plan', 'pro') });
    db.prepare = prepare;
    const listSql = statements.find((sql) => sql.startsWith('SELECT') && sql.includes('ORDER BY'))!;
    const plan = (prepare(`EXPLAIN QUERY PLAN ${listSql}`).all(...Array(countParams(listSql)).fill(null)) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toContain('sessions_user_updated');
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('reads the last messages of a session by primary key, without sorting', async ({ expect }) => {
    const engine = await open(newPath());
    const db = engine.database!;
    const plan = (
      db
        .prepare('EXPLAIN QUERY PLAN SELECT * FROM messages WHERE "user_id" = ? AND "session_id" = ? AND "seq" > ? AND "seq" < ? ORDER BY "seq" DESC LIMIT ?')
        .all('u', 's', 0, 10, 5) as Array<{ detail: string }>
    )
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/USING (INDEX sqlite_autoindex_messages_1|PRIMARY KEY)/);
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('records its schema version, and setting up again (also at once, also from a second engine) changes nothing', async ({ expect }) => {
    const path = newPath();
    const engine = new SqliteEngine({ path });
    engines.push(engine);
    await Promise.all([engine.setup(), engine.setup(), engine.setup()]);
    await engine.setup();
    await open(path);
    const rows = engine.database!.prepare('SELECT version, description FROM sessions_schema_version').all();
    expect(rows).toEqual([{ version: SCHEMA_VERSION, description: expect.any(String) }]);
  });

  it('refuses a file whose schema is newer than this release understands, saying to upgrade', async ({ expect }) => {
    const path = newPath();
    await (await open(path)).close();
    const db = new Database(path);
    db.prepare('INSERT INTO sessions_schema_version (version, applied_at, description) VALUES (?, ?, ?)').run(
      SCHEMA_VERSION + 1,
      Date.now(),
      'from the future',
    );
    db.close();
    const engine = new SqliteEngine({ path });
    engines.push(engine);
    const error = await engine.setup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect(error).toMatchObject({ code: 'SCHEMA_VERSION', supported: 1 });
    expect((error as Error).message).toMatch(/this @sessions\/sqlite reads version 1: upgrade @sessions\/sqlite/);
  });

  it('reports a same-named table from another program clearly, and lives beside it with a tablePrefix', async ({ expect }) => {
    const path = newPath();
    const db = new Database(path);
    db.exec('CREATE TABLE sessions (sid TEXT PRIMARY KEY, sess TEXT, expire INTEGER)');
    db.close();
    const clash = new SqliteEngine({ path });
    engines.push(clash);
    await expect(clash.setup()).rejects.toThrow(/does not have the layout @sessions\/sqlite expects.*tablePrefix/);

    const engine = await open(path, { tablePrefix: 'chat_' });
    const manager = new SessionManager({ engine });
    await manager.create({ userId: 'u', sessionId: 's' });
    await manager.append({ userId: 'u', sessionId: 's' }, { role: 'user', content: 'hi' });
    const tables = (engine.database!.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map(
      (t) => t.name,
    );
    expect(tables).toEqual(['chat_leases', 'chat_messages', 'chat_sessions', 'chat_sessions_schema_version', 'sessions']);
  });

  it('runs in WAL mode with the chosen synchronous level and a short driver busy timeout', async ({ expect }) => {
    const path = newPath();
    const normal = await open(path);
    expect(normal.database!.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(normal.database!.pragma('synchronous', { simple: true })).toBe(1);
    expect(normal.database!.pragma('busy_timeout', { simple: true })).toBe(5);
    const full = await open(path, { synchronous: 'FULL' });
    expect(full.database!.pragma('synchronous', { simple: true })).toBe(2);
  });
});

describe('persistence', () => {
  it('keeps everything in the one database file and its WAL companions', async ({ expect }) => {
    const path = newPath();
    writeFileSync(join(dir, 'unrelated.txt'), 'x');
    const engine = await open(path);
    await new SessionManager({ engine }).create({ userId: 'u' });
    expect(readdirSync(dir).sort()).toEqual(['sessions.db', 'sessions.db-shm', 'sessions.db-wal', 'unrelated.txt']);
  });

  it('shows a reopened engine every session, message, state and lease token', async ({ expect }) => {
    const path = newPath();
    const key = { userId: 'u', sessionId: 's' };
    const first = await open(path);
    const writer = new SessionManager({ engine: first });
    await writer.create({ ...key, title: 'kept', metadata: { n: 1.5, deep: { list: [1, 'two', null] } } });
    await writer.setState(key, { step: 3 });
    await writer.append(key, [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: [{ type: 'text', text: 'two' }] },
    ]);
    const lease = await writer.acquire(key, { ttlMs: 60_000 });
    await writer.release(lease);
    await first.close();

    const second = await open(path);
    const reader = new SessionManager({ engine: second });
    expect(await reader.get(key)).toMatchObject({ title: 'kept', metadata: { n: 1.5, deep: { list: [1, 'two', null] } }, state: { step: 3 }, lastSeq: 2 });
    expect((await reader.messages(key)).map((m) => m.content)).toEqual(['one', [{ type: 'text', text: 'two' }]]);
    expect((await reader.acquire(key)).token).toBe(lease.token + 1);
  });

  it('stores rows a plain better-sqlite3 connection can read: JSON as text', async ({ expect }) => {
    const path = newPath();
    const engine = await open(path);
    const manager = new SessionManager({ engine });
    await manager.create({ userId: 'u', sessionId: 's' });
    await manager.append({ userId: 'u', sessionId: 's' }, { role: 'user', content: 'hello' });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT content FROM messages').pluck().all()).toEqual(['"hello"']);
    db.close();
  });
});

function countParams(sql: string): number {
  return sql.split('?').length - 1;
}
