import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SessionManager, EXPORT_FORMAT } from '@sessions/core';
import { testServerUrl } from '@sessions/core/testing';
import { SqliteEngine } from '@sessions/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from './support/run-bin.js';
import { removeTempDirs, tempDir } from './support/temp.js';

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let storeUrl: string;

beforeAll(async () => {
  dir = await tempDir();
  const path = join(dir, 'store.db');
  await using engine = new SqliteEngine({ path });
  await engine.setup();
  const manager = new SessionManager({ engine });
  await manager.create({ userId: 'alice', sessionId: 'chat_1', messages: [{ role: 'user', content: 'hi' }] });
  storeUrl = `sqlite:${path}`;
});
afterAll(removeTempDirs);

describe('exit codes of the sessions bin', () => {
  it('0: a command that worked', async () => {
    const result = await runBin(['ls', storeUrl, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ userId: 'alice', sessionId: 'chat_1', messageCount: 1 });
    expect((await runBin(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await runBin(['help', 'migrate'])).code).toBe(0);
    // an in-memory store is new every time, never a typo for a store that is not there
    for (const url of ['memory:', 'sqlite::memory:']) {
      const doctor = await runBin(['doctor', url, '--json']);
      expect(doctor.code, `doctor ${url}: ${doctor.stderr}`).toBe(0);
      expect((await runBin(['ls', url])).code, `ls ${url}`).toBe(0);
    }
  });

  it('2: no command, an unknown command, option or extra argument, a missing argument', async () => {
    const cases = [
      [],
      ['lst', storeUrl],
      ['ls', storeUrl, '--colour'],
      ['ls', storeUrl, 'extra'],
      ['show', storeUrl, 'alice'],
      ['ls', storeUrl, '--limit', 'ten'],
    ];
    for (const args of cases) {
      const result = await runBin(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout, args.join(' ')).toBe('');
    }
    expect((await runBin(['lst', storeUrl])).stderr).toMatch(/unknown command "lst"; did you mean "ls"\?/);
    expect((await runBin(['show', storeUrl, 'alice'])).stderr).toMatch(/missing <session>\n {2}hint: usage: sessions show <url> <user> <session>/);
  });

  it('2: a URL without a scheme, with an unknown scheme, or naming no database', async () => {
    for (const url of ['./store.db', 'oracle://db/x', 'sqlite:']) {
      const result = await runBin(['ls', url]);
      expect(result.code, url).toBe(2);
      expect(result.stderr, url).toMatch(/hint: store URLs look like sqlite:\.\/sessions\.db/);
    }
  });

  it('3: an invalid filter, or bad lines in an import (with their line numbers, nothing written)', async () => {
    const filter = await runBin(['ls', storeUrl, '--where', '{"op":"eq","field":"title","value":null}']);
    expect(filter.code).toBe(3);
    expect(filter.stderr).toMatch(/isNull/);

    const lines = [
      JSON.stringify({
        format: EXPORT_FORMAT,
        version: 1,
        session: { userId: 'bob', sessionId: 's', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', lastSeq: 0 },
        messages: [],
      }),
      '{"format":"sessions.export","version":1}',
    ].join('\n');
    const imported = await runBin(['import', storeUrl], { input: lines });
    expect(imported.code).toBe(3);
    expect(imported.stderr).toMatch(/^line 2: export\.session: expected a session object/m);
    expect((await runBin(['ls', storeUrl, '--user', 'bob', '--json'])).stdout).toBe('');
  });

  it('4: a session that does not exist, or no store at a path', async () => {
    const missing = await runBin(['show', storeUrl, 'alice', 'nope']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/session "nope" of user "alice" does not exist/);

    const noFile = await runBin(['ls', `sqlite:${join(dir, 'typo.db')}`]);
    expect(noFile.code).toBe(4);
    expect(noFile.stderr).toMatch(/there is no store at/);
  });

  it('5: the adapter package for the URL is not installed, naming the package to add', async () => {
    // An install with @sessions/cli and @sessions/core only, as `npm i -g @sessions/cli` gives.
    const install = await tempDir();
    const cliDir = join(install, 'node_modules', '@sessions', 'cli');
    await mkdir(cliDir, { recursive: true });
    await cp(join(PACKAGE_ROOT, 'dist'), join(cliDir, 'dist'), { recursive: true });
    await cp(join(PACKAGE_ROOT, 'package.json'), join(cliDir, 'package.json'));
    // A copy, not a link: from the repository, core would find the adapters the root installs.
    const coreDir = join(install, 'node_modules', '@sessions', 'core');
    await cp(join(PACKAGE_ROOT, '..', 'core', 'dist'), join(coreDir, 'dist'), { recursive: true });
    await cp(join(PACKAGE_ROOT, '..', 'core', 'package.json'), join(coreDir, 'package.json'));

    const result = await runBin(['ls', 'sqlite:./sessions.db'], { bin: join(cliDir, 'dist', 'bin.js'), cwd: install });

    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/needs the package @sessions\/sqlite: install it with `pnpm add @sessions\/sqlite`/);
  });

  it('6: nothing answers at the address, without ever printing the password', async () => {
    const result = await runBin(['ls', 'postgres://postgres:hunter2secret@127.0.0.1:1/test']);

    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/cannot open the store \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test\)/);
    expect(result.stderr).toMatch(/hint: nothing answered/);
    expect(result.stderr + result.stdout).not.toContain('hunter2secret');
  });

  it('6: the server refuses the login or the database does not exist, with a hint saying which', async () => {
    const postgres = new URL(testServerUrl('postgres'));
    postgres.pathname = '/no_such_database_for_sessions_cli';
    const result = await runBin(['ls', postgres.toString()]);

    expect(result.code, `${result.stderr}\n(start PostgreSQL on ${postgres.host} to run this test)`).toBe(6);
    expect(result.stderr).toMatch(/hint: the database does not exist/);
  });

  it('6: a server that accepts the connection but never answers, after --connect-timeout', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const result = await runBin(['ls', `postgres://postgres:pw12345@127.0.0.1:${port}/test`, '--connect-timeout', '1s']);
      expect(result.code).toBe(6);
      expect(result.stderr).toMatch(/no answer from the store within 1000 ms/);
    } finally {
      silent.close();
    }
  });

  it('7: a store whose schema is newer than the installed adapter understands', async () => {
    const path = join(dir, 'future.db');
    {
      await using engine = new SqliteEngine({ path });
      await engine.setup();
      engine.database!.prepare('INSERT INTO sessions_schema_version (version, applied_at, description) VALUES (999, 0, ?)').run('from the future');
    }

    const result = await runBin(['doctor', `sqlite:${path}`]);

    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/schema version 999, but this @sessions\/sqlite reads version 1: upgrade @sessions\/sqlite/);
    expect(result.stderr).toMatch(/hint: .*upgrade/);
  });

  it('8: importing a session that already exists', async () => {
    const exported = await runBin(['export', storeUrl]);
    const result = await runBin(['import', storeUrl], { input: exported.stdout });
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/line 1: session "chat_1" of user "alice" already exists in the store \(pass --on-conflict skip/);
  });

  it('reports errors as one JSON object on stderr under --json', async () => {
    const result = await runBin(['show', storeUrl, 'alice', 'nope', '--json']);
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'SESSION_NOT_FOUND', exitCode: 4, message: 'session "nope" of user "alice" does not exist (or has expired)', hint: expect.any(String) },
    });
  });

  it('stays quiet about a reader that closed the pipe early', async () => {
    const many = await tempDir();
    const url = `sqlite:${join(many, 'many.db')}`;
    {
      await using engine = new SqliteEngine({ path: join(many, 'many.db') });
      await engine.setup();
      const manager = new SessionManager({ engine });
      for (let i = 0; i < 300; i++) await manager.create({ userId: 'u', sessionId: `s${i}`, messages: [{ role: 'user', content: 'x'.repeat(2_000) }] });
    }
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [fileURLToPath(new URL('../dist/bin.js', import.meta.url)), 'export', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/Error|EPIPE/);
  });
});
