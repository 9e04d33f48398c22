import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { AdapterNotInstalledError, createEngine, EngineClosedError, SessionManager, StorageError, ValidationError } from '@sessions/core';
import { fromUrl, PostgresEngine } from '../src/index.js';
import { loadPg } from '../src/pg-driver.js';
import { dropSchema, POSTGRES_URL, randomSchema, requirePostgres, testPool } from './support/database.js';

const schema = randomSchema('options');
const run = promisify(execFile);

beforeAll(requirePostgres);
afterAll(() => dropSchema(schema));

describe('PostgresEngine options', () => {
  it('never closes an injected pool, so the application can keep using it', async ({ expect }) => {
    const pool = testPool();
    try {
      const engine = new PostgresEngine({ pool, schema });
      await engine.setup();
      await engine.close();
      await engine.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await expect(engine.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(EngineClosedError);
    } finally {
      await pool.end();
    }
  });

  it('closes the pool it created from a connection string', async ({ expect }) => {
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    await engine.setup();
    const pool = engine.pool;
    await engine.close();
    await expect(pool.query({ text: 'SELECT 1' })).rejects.toThrow(/pool/i);
  });

  it('supports await using', async ({ expect }) => {
    let pool;
    {
      await using engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
      await engine.setup();
      pool = engine.pool;
    }
    await expect(pool.query({ text: 'SELECT 1' })).rejects.toThrow(/pool/i);
  });

  it.for([
    [{}, /exactly one of connectionString/],
    [{ connectionString: POSTGRES_URL, pool: testPool() }, /exactly one of connectionString/],
    [{ connectionString: '' }, /non-empty string/],
    [{ pool: {} }, /pg\.Pool/],
    [{ connectionString: POSTGRES_URL, schema: 'bad"schema' }, /schema must be/],
    [{ connectionString: POSTGRES_URL, schema: '1abc' }, /schema must be/],
    [{ connectionString: POSTGRES_URL, tablePrefix: 'x; DROP TABLE y' }, /tablePrefix must be/],
    [{ connectionString: POSTGRES_URL, tablePrefix: 'p'.repeat(40) }, /tablePrefix must be at most 31/],
    [{ connectionString: POSTGRES_URL, poolSize: 0 }, /poolSize/],
    [{ connectionString: POSTGRES_URL, connectTimeoutMs: 0 }, /connectTimeoutMs/],
    [{ connectionString: POSTGRES_URL, connectTimeoutMs: 1.5 }, /connectTimeoutMs/],
    [{ connectionString: POSTGRES_URL, queryTimeoutMs: 0 }, /queryTimeoutMs must be a whole number of milliseconds >= 1/],
    [{ connectionString: POSTGRES_URL, queryTimeoutMs: Infinity }, /queryTimeoutMs/],
    [{ connectionString: POSTGRES_URL, acquireTimeoutMs: -1 }, /acquireTimeoutMs/],
    [{ connectionString: POSTGRES_URL, acquireTimeoutMs: '5000' }, /acquireTimeoutMs/],
  ] as const)('rejects invalid options %# with a ValidationError that says what to fix', ([options, message], { expect }) => {
    const attempt = () => new PostgresEngine(options as never);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(message);
  });

  it('gives up on a server that accepts the connection and never answers, after connectTimeoutMs, with a StorageError', async ({ expect }) => {
    const { createServer } = await import('node:net');
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const engine = new PostgresEngine({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 300 });
    try {
      const error = await engine.setup().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StorageError);
      expect(String((error as StorageError).cause)).toMatch(/timeout/i);
    } finally {
      await engine.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('keeps engines with different table prefixes in one schema apart', async ({ expect }) => {
    const a = new PostgresEngine({ connectionString: POSTGRES_URL, schema, tablePrefix: 'a_' });
    const b = new PostgresEngine({ connectionString: POSTGRES_URL, schema, tablePrefix: 'b_' });
    try {
      await Promise.all([a.setup(), b.setup()]);
      const key = { userId: 'prefix-user', sessionId: 'shared-id' };
      await new SessionManager({ engine: a }).create({ ...key, title: 'in a' });
      expect(await b.getSession(key)).toBeNull();
      await new SessionManager({ engine: b }).create({ ...key, title: 'in b' });
      expect((await a.getSession(key))?.title).toBe('in a');
      expect(a.tables.sessions).toBe(`"${schema}"."a_sessions"`);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('reports an unreachable server as a StorageError with the driver error as cause', async ({ expect }) => {
    const engine = new PostgresEngine({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema });
    try {
      const error = await engine.setup().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).cause).toMatchObject({ code: 'ECONNREFUSED' });
      expect((error as StorageError).kind).toBe('unreachable');
      expect((error as Error).message).toMatch(/\[postgres\] setup failed/);
    } finally {
      await engine.close();
    }
  });
});

describe('fromUrl and createEngine', () => {
  it('takes schema and tablePrefix from the query string and passes the rest to pg', async ({ expect }) => {
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('schema', schema);
    url.searchParams.set('tablePrefix', 'url_');
    url.searchParams.set('application_name', 'sessions-from-url');
    const engine = fromUrl(url.toString());
    try {
      await engine.setup();
      expect(engine.tables.schema).toBe(schema);
      expect(engine.tables.sessions).toBe(`"${schema}"."url_sessions"`);
      const { rows } = await engine.pool.query({ text: 'SELECT current_setting($1) AS name', values: ['application_name'] });
      expect(rows[0]?.['name']).toBe('sessions-from-url');
    } finally {
      await engine.close();
    }
  });

  it('accepts postgresql:// too and rejects other schemes', ({ expect }) => {
    expect(fromUrl(POSTGRES_URL.replace(/^postgres:/, 'postgresql:'))).toBeInstanceOf(PostgresEngine);
    expect(() => fromUrl('mysql://root@127.0.0.1/test')).toThrow(ValidationError);
    expect(() => fromUrl('not a url')).toThrow(ValidationError);
  });

  it('is what createEngine returns for a postgres:// URL', async ({ expect }) => {
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('schema', schema);
    const engine = await createEngine(url.toString());
    try {
      expect(engine.name).toBe('postgres');
      expect(engine.capabilities).toMatchObject({ persistent: true, crossProcess: true });
      await engine.setup();
    } finally {
      await engine.close();
    }
  });
});

describe('loading pg', () => {
  const missing = (id: string) => Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- /app/index.js`), { code: 'MODULE_NOT_FOUND' });

  it('reports pg missing as AdapterNotInstalledError naming the package to install, without the password', ({ expect }) => {
    const attempt = () =>
      loadPg('postgres://app:secret@db:5432/app', (id) => {
        throw missing(id);
      });
    expect(attempt).toThrow(AdapterNotInstalledError);
    expect(attempt).toThrow(/needs the package pg: install it with `pnpm add pg`/);
    expect(attempt).not.toThrow(/secret/);
  });

  it('lets other load failures through as they are: a file missing inside pg is a broken install, not a missing one', ({ expect }) => {
    const broken = missing('./lib/client');
    expect(() =>
      loadPg(POSTGRES_URL, () => {
        throw broken;
      }),
    ).toThrow(broken);
  });

  it('makes createEngine fail with AdapterNotInstalledError in an app that has @sessions/postgres but not pg', async ({ expect }) => {
    // A copy of the built package (a symlink would resolve pg from this workspace) next to core, in an app without pg.
    const app = await mkdtemp(join(tmpdir(), 'sessions-no-pg-'));
    try {
      const here = fileURLToPath(new URL('..', import.meta.url));
      await mkdir(join(app, 'node_modules', '@sessions', 'postgres'), { recursive: true });
      await cp(join(here, 'dist'), join(app, 'node_modules', '@sessions', 'postgres', 'dist'), { recursive: true });
      await cp(join(here, 'package.json'), join(app, 'node_modules', '@sessions', 'postgres', 'package.json'));
      // Core copied too: a symlink resolves to this workspace, where core's optional peer @sessions/postgres has pg.
      const core = realpathSync(join(here, 'node_modules', '@sessions', 'core'));
      for (const entry of ['dist', 'package.json']) await cp(join(core, entry), join(app, 'node_modules', '@sessions', 'core', entry), { recursive: true });
      const script = `
        const { createEngine } = await import('@sessions/core');
        const error = await createEngine('postgres://app:secret@127.0.0.1:1/app').then(() => null, (caught) => caught);
        console.log(JSON.stringify({ name: error?.name, code: error?.code, packageName: error?.packageName, message: error?.message }));`;
      // pnpm and npx put their module folders (which hold pg) on NODE_PATH; an app has no such thing.
      const { NODE_PATH: _, ...env } = process.env;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env });
      const reported = JSON.parse(stdout);
      expect(reported).toMatchObject({ code: 'ADAPTER_NOT_INSTALLED', packageName: 'pg' });
      expect(reported.message).toMatch(/install it with `pnpm add pg`/);
      expect(reported.message).not.toMatch(/secret/);
    } finally {
      await rm(app, { recursive: true, force: true });
    }
  });
});
