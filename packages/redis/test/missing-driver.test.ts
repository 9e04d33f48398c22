import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { AdapterNotInstalledError } from '@sessions/core';
import { loadIoredis } from '../src/connection.js';

function notFound(id: string): Error {
  return Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- /app/node_modules/@sessions/redis/dist/connection.js`), {
    code: 'MODULE_NOT_FOUND',
  });
}

describe('without ioredis installed', () => {
  it('makes createEngine fail with AdapterNotInstalledError naming ioredis, not a module error (built package)', ({ expect }) => {
    // An application with @sessions/core and this package (its dist) but no ioredis anywhere it can resolve.
    const app = mkdtempSync(join(tmpdir(), 'sessions-redis-app-'));
    try {
      const scope = join(app, 'node_modules', '@sessions');
      // Copies, not symlinks: a symlinked core resolves to this workspace, where its optional peer @sessions/redis has ioredis.
      for (const [name, from] of [
        ['redis', '../'],
        ['core', '../../core/'],
      ] as const) {
        for (const entry of ['package.json', 'dist'])
          cpSync(fileURLToPath(new URL(`${from}${entry}`, import.meta.url)), join(scope, name, entry), { recursive: true });
      }
      const script = `import { createEngine } from '@sessions/core';
        createEngine('redis://:s3cret@127.0.0.1:6379').then(() => console.log('{}'), (e) => console.log(JSON.stringify({ name: e.name, code: e.code, packageName: e.packageName, message: e.message })));`;
      const { NODE_PATH: _ignored, ...env } = process.env;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env, encoding: 'utf8' });
      const error = JSON.parse(output) as { name?: string; message?: string };
      expect(error).toMatchObject({ name: 'AdapterNotInstalledError', code: 'ADAPTER_NOT_INSTALLED', packageName: 'ioredis' });
      expect(error.message).toContain('pnpm add ioredis');
      expect(error.message).not.toContain('s3cret');
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('imports ioredis in no source file except for types, so the package itself still loads', async ({ expect }) => {
    const src = new URL('../src/', import.meta.url).pathname;
    const files = (await readdir(src, { recursive: true })).filter((file) => file.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = await readFile(join(src, file), 'utf8');
      for (const statement of text.match(/^import[^;]*from 'ioredis';/gm) ?? []) {
        expect(statement, `${file} loads ioredis at import`).toMatch(/^import type /);
      }
    }
  });

  it('reports the missing driver as AdapterNotInstalledError naming ioredis, with the password hidden', ({ expect }) => {
    const cause = notFound('ioredis');
    const error = (() => {
      try {
        loadIoredis('redis://app:secret@cache:6379/0', () => {
          throw cause;
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AdapterNotInstalledError);
    expect(error).toMatchObject({ code: 'ADAPTER_NOT_INSTALLED', packageName: 'ioredis', cause });
    expect((error as Error).message).toMatch(/pnpm add ioredis/);
    expect((error as Error).message).not.toMatch(/secret/);
  });

  it('leaves a broken ioredis install (a file missing inside it) as the error it is', ({ expect }) => {
    const cause = notFound('./built/Redis');
    expect(() =>
      loadIoredis('redis://cache:6379', () => {
        throw cause;
      }),
    ).toThrow(cause);
  });
});
