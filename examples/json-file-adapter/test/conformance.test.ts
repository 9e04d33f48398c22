import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { randomKey, runConformance } from '@sessions/conformance';
import type { Engine } from '@sessions/core';
import { JsonFileEngine } from '../src/index.js';
import { rawReader } from './raw-reader.js';

const dirOf = (engine: Engine) => (engine as JsonFileEngine).dir;
// The suite's second process builds its engine from the compiled package (npm test runs tsc first).
const builtPackage = fileURLToPath(new URL('../dist/index.js', import.meta.url));

runConformance({
  name: 'json-file',
  create: () => new JsonFileEngine({ dir: mkdtempSync(join(tmpdir(), 'json-file-store-')) }),
  destroy: (engine) => rm(dirOf(engine), { recursive: true, force: true }),
  reopen: (engine) => new JsonFileEngine({ dir: dirOf(engine) }),
  openInAnotherProcess: (engine) => ({ module: builtPackage, exportName: 'JsonFileEngine', args: [{ dir: dirOf(engine) }] }),
  raw: (engine) => rawReader(dirOf(engine)),
  additionalTests(ctx) {
    it('leaves only store.json behind: no temporary file or lock after writes', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      await Promise.all(Array.from({ length: 8 }, (_, i) => manager.append(key, { role: 'user', content: `m${i}` })));
      expect(await readdir(dirOf(ctx.engine)), 'every write must rename its temporary file over store.json and remove its lock').toEqual(['store.json']);
      expect(JSON.parse(await readFile(join(dirOf(ctx.engine), 'store.json'), 'utf8')).schemaVersion).toBe(1);
    });

    it('storedSchemaVersion creates nothing where no store is', async ({ expect }) => {
      const dir = join(dirOf(ctx.engine), 'not-a-store');
      const engine = new JsonFileEngine({ dir });
      expect(await engine.storedSchemaVersion()).toBeNull();
      expect(await readdir(dirOf(ctx.engine)), 'storedSchemaVersion must not create the directory').not.toContain('not-a-store');
      await engine.close();
    });
  },
});
