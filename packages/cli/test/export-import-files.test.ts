import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngine, SessionManager, type Engine } from '@sessions/core';
import { afterAll, describe, expect, it } from 'vitest';
import { seedVariety, snapshot } from './support/fixtures.js';
import { runBin } from './support/run-bin.js';
import { removeTempDirs, tempDir } from './support/temp.js';
import { dropStores, jsonlStore, sqliteStore, trackedStore } from './support/test-stores.js';

afterAll(async () => {
  await dropStores();
  await removeTempDirs();
});

async function contents(url: string): Promise<string[]> {
  const engine: Engine = await createEngine(url);
  await engine.setup();
  try {
    return await snapshot(engine, { version: false });
  } finally {
    await engine.close();
  }
}

describe('export to a file and import from it, as a shell does', () => {
  it('`export > file` then `import < file` moves a SQLite store into a JSONL store unchanged', async () => {
    const dir = await tempDir();
    const store = await trackedStore(sqliteStore);
    const source = store.url;
    {
      await using engine = store.engine();
      await engine.setup();
      await seedVariety(new SessionManager({ engine }));
    }
    const file = join(dir, 'backup.jsonl');
    const out = openSync(file, 'w');
    const exported = await runBin(['export', source], { stdoutFd: out });
    closeSync(out);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/^exported \d+ sessions and \d+ messages\n$/);
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean).length).toBe((await contents(source)).length);

    // stdin is the file itself here: import reads it twice in place, without a spool copy.
    const target = (await trackedStore(jsonlStore)).url;
    const input = openSync(file, 'r');
    const imported = await runBin(['import', target, '--json'], { stdinFd: input });
    closeSync(input);

    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, skipped: 0 });
    expect(await contents(target)).toEqual(await contents(source));
  });

  it('a second import of the same file changes nothing: every session is a conflict (exit 8), or skipped with --on-conflict skip', async () => {
    const store = await trackedStore(sqliteStore);
    const url = store.url;
    {
      await using engine = store.engine();
      await engine.setup();
      await seedVariety(new SessionManager({ engine }), { users: 1 });
    }
    const exported = await runBin(['export', url]);
    const before = await contents(url);

    const again = await runBin(['import', url], { input: exported.stdout });
    const skipped = await runBin(['import', url, '--on-conflict', 'skip', '--json'], { input: exported.stdout });

    expect(again.code).toBe(8);
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ sessions: 0, skipped: before.length });
    expect(await contents(url)).toEqual(before);
  });
});
