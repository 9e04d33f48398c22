import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createEngine, registerAdapter, SessionManager, StorageError, ValidationError } from '@sessions/core';
import { fromUrl, MysqlEngine } from '../src/index.js';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('options');

describe('options', () => {
  it('needs exactly one of uri and pool', () => {
    expect(() => new MysqlEngine({})).toThrow(ValidationError);
    expect(() => new MysqlEngine({ uri: database.url, pool: database.pool })).toThrow(ValidationError);
    expect(() => new MysqlEngine({ uri: 'postgres://x/y' })).toThrow(ValidationError);
    expect(() => new MysqlEngine({ pool: {} as never })).toThrow(ValidationError);
  });

  it('accepts only a plain table prefix, so no option text reaches SQL as an identifier', () => {
    for (const tablePrefix of ['a-b', 'x`; DROP TABLE y; --', 'ä', 'x'.repeat(33)]) {
      expect(() => new MysqlEngine({ uri: database.url, tablePrefix })).toThrow(ValidationError);
    }
    expect(new MysqlEngine({ uri: database.url, tablePrefix: '' }).tables.sessions).toBe('`sessions`');
    expect(new MysqlEngine({ uri: database.url }).tables.messages).toBe('`sessions_messages`');
  });

  it('takes the time limits as whole numbers of milliseconds >= 1', () => {
    for (const name of ['queryTimeoutMs', 'acquireTimeoutMs'] as const) {
      for (const value of [0, -1, 1.5, Infinity, '500']) {
        expect(() => new MysqlEngine({ uri: database.url, [name]: value as never })).toThrow(new RegExp(`${name} is a whole number of milliseconds`));
      }
      expect(() => new MysqlEngine({ uri: database.url, [name]: 1 })).not.toThrow();
    }
  });

  it('never closes a pool it was given', async () => {
    const pool = mysql.createPool({ uri: database.url, connectionLimit: 2 });
    const engine = new MysqlEngine({ pool, tablePrefix: `${randomName('inj')}_` });
    await engine.setup();
    await engine.close();
    const [rows] = await pool.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it('closes the pool it created', async () => {
    const engine = new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('own')}_` });
    await engine.setup();
    const before = await threadsOn(database.name);
    await engine.getSession({ userId: 'u', sessionId: 's' });
    await engine.close();
    await expect.poll(() => threadsOn(database.name), { timeout: 5_000 }).toBeLessThan(before);
  });
});

describe('fromUrl', () => {
  it('builds an engine from mysql:// and mariadb:// URLs, taking engine options from the query', async () => {
    const prefix = `${randomName('url')}_`;
    const mariadbUrl = new URL(database.url);
    mariadbUrl.protocol = 'mariadb:';
    mariadbUrl.searchParams.set('tablePrefix', prefix);
    mariadbUrl.searchParams.set('connectionLimit', '3');
    const engine = fromUrl(mariadbUrl.toString());
    expect(engine).toBeInstanceOf(MysqlEngine);
    expect(engine.tablePrefix).toBe(prefix);
    await engine.setup();
    const sessions = new SessionManager({ engine });
    const created = await sessions.create({ userId: 'u' });
    expect(await sessions.get(created)).toEqual(created);
    await engine.close();
  });

  it('rejects other URLs with a ValidationError', () => {
    expect(() => fromUrl('postgres://localhost/x')).toThrow(ValidationError);
    expect(() => fromUrl('not a url')).toThrow(ValidationError);
    expect(() => fromUrl(`${database.url}?tablePrefix=bad-prefix`)).toThrow(ValidationError);
  });

  it('is what createEngine() uses for mysql:// URLs', async () => {
    registerAdapter('mysql:', () => import('../src/index.js'));
    const engine = await createEngine(`${database.url}?tablePrefix=${randomName('ce')}_`);
    expect(engine).toBeInstanceOf(MysqlEngine);
    await engine.close();
  });
});

describe('a misconfigured pool', () => {
  it('is refused at setup() with a ValidationError that says what to change', async () => {
    const latin1 = mysql.createPool({ uri: database.url, charset: 'LATIN1_SWEDISH_CI', connectionLimit: 1 });
    const wrongCharset = new MysqlEngine({ pool: latin1, tablePrefix: `${randomName('cs')}_` });
    await expect(wrongCharset.setup()).rejects.toThrow(/not utf8mb4/);
    await expect(wrongCharset.setup()).rejects.toBeInstanceOf(ValidationError);
    await wrongCharset.close();
    await latin1.end();
    const url = new URL(database.url);
    url.pathname = '/';
    const noDatabase = new MysqlEngine({ uri: url.toString() });
    await expect(noDatabase.setup()).rejects.toThrow(/no database selected/);
    await noDatabase.close();
  });
});

describe('an unreachable server', () => {
  it('fails setup() with a StorageError that keeps the driver error, and setup() can be retried', async () => {
    const engine = new MysqlEngine({ uri: 'mysql://root@127.0.0.1:1/test', poolOptions: { connectTimeout: 2_000 } });
    const error = await engine.setup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/\[mysql\] setup failed/);
    expect((error as StorageError).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect((error as StorageError).kind).toBe('unreachable');
    await expect(engine.setup()).rejects.toBeInstanceOf(StorageError);
    await engine.close();
  });
});

async function threadsOn(name: string): Promise<number> {
  const [rows] = await database.pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?', [name]);
  return Number(rows[0]!['n']);
}
