import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from './support/run-bin.js';
import { removeTempDirs, tempDir } from './support/temp.js';
import { exportThreeSessions, sqliteContents } from './support/sqlite-store.js';

let dir: string;
let backup: string;
let sourcePath: string;

beforeAll(async () => {
  dir = await tempDir();
  sourcePath = join(dir, 'source.db');
  const exported = await exportThreeSessions(sourcePath);
  backup = join(dir, 'backup.jsonl');
  await writeFile(backup, exported);
});
afterAll(removeTempDirs);

describe('what import reads, and what it leaves behind when it refuses', () => {
  it('creates no store when a line is bad: the bad lines are listed and the target path stays absent', async () => {
    const lines = (await readFile(backup, 'utf8')).split('\n').filter(Boolean);
    lines[1] = '{"format":"sessions.export"';
    const target = join(dir, 'never-created.db');

    const result = await runBin(['import', `sqlite:${target}`], { input: `${lines.join('\n')}\n` });

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^line 2: not valid JSON/m);
    expect(result.stderr).toMatch(/nothing was written/);
    expect(existsSync(target)).toBe(false);
  });

  it('creates no store under --dry-run, and counts what it would import', async () => {
    const target = join(dir, 'dry-run.db');

    const result = await runBin(['import', `sqlite:${target}`, backup, '--dry-run', '--json']);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, dryRun: true, sessions: 3, messages: 6 });
    expect(existsSync(target)).toBe(false);
  });

  it('reports a missing input file as not found (exit 4) and a directory as a usage error (exit 2), before touching the store', async () => {
    const target = join(dir, 'untouched.db');

    const missing = await runBin(['import', `sqlite:${target}`, join(dir, 'no-such-backup.jsonl')]);
    const directory = await runBin(['import', `sqlite:${target}`, dir, '--json']);

    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/there is no file ".*no-such-backup\.jsonl" to import/);
    expect(missing.stderr).toMatch(/hint: check the path/);
    expect(directory.code).toBe(2);
    expect(JSON.parse(directory.stderr).error).toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect(existsSync(target)).toBe(false);
  });

  it('reads a named input that is a pipe (mkfifo, <(zcat ...)) once, and imports every line of it', async () => {
    const target = join(dir, 'from-pipe.db');
    const fifo = join(dir, 'backup.fifo');
    execFileSync('mkfifo', [fifo]);

    // Opening a FIFO for writing waits for its reader, the import; a second open of it would
    // wait for a writer that never comes back, or find it drained.
    const [result] = await Promise.all([runBin(['import', `sqlite:${target}`, fifo, '--json']), writeFile(fifo, await readFile(backup, 'utf8'))]);

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, sessions: 3, messages: 6, skipped: 0 });
    expect(await sqliteContents(target)).toEqual(await sqliteContents(sourcePath));
  });
});
