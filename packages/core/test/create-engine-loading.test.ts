import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterNotInstalledError, createEngine, ValidationError } from '../src/index.js';

const script = fileURLToPath(new URL('../../../scripts/create-engine-from-anywhere.mjs', import.meta.url));
const builtCore = new URL('../dist/index.js', import.meta.url).href;

describe('createEngine from a process started outside the application', () => {
  it('finds every installed adapter when the working directory is /', () => {
    // The adapters are built by `pnpm build` (the test command builds everything before testing).
    const { NODE_PATH: _ignored, ...env } = process.env;
    let output: string;
    try {
      output = execFileSync(process.execPath, [script, builtCore], { cwd: '/', env, encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    const results = JSON.parse(output) as Record<string, { engine?: string; error?: unknown }>;
    expect(results).toEqual({
      'memory:': { engine: 'MemoryEngine' },
      'sqlite:': { engine: 'SqliteEngine' },
      'jsonl:': { engine: 'JsonlEngine' },
      'postgres:': { engine: 'PostgresEngine' },
      'postgresql:': { engine: 'PostgresEngine' },
      'mysql:': { engine: 'MysqlEngine' },
      'mariadb:': { engine: 'MysqlEngine' },
      'redis:': { engine: 'RedisEngine' },
      'rediss:': { engine: 'RedisEngine' },
    });
  });
});

describe('createEngine(url, { load })', () => {
  // A folder of hand-made packages, and a loader that imports from it as an application would.
  let app: string;
  let load: (packageName: string) => Promise<unknown>;

  function fakePackage(name: string, files: Record<string, string>): void {
    const dir = join(app, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, type: 'module', exports: './index.js' }));
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  }

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'sessions-app-'));
    // Inside node_modules so that vitest leaves it to Node: its import() resolves as an application's does.
    const loader = join(app, 'node_modules', 'app-loader.mjs');
    mkdirSync(dirname(loader), { recursive: true });
    writeFileSync(loader, 'export default (name) => import(name);\n');
    load = ((await import(pathToFileURL(loader).href)) as { default: typeof load }).default;
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('imports the adapter through the given load and builds the engine with its fromUrl', async () => {
    fakePackage('@sessions/jsonl', { 'index.js': 'export const fromUrl = (url) => ({ url, kind: "fake jsonl" });\n' });
    const asked: string[] = [];
    const engine = await createEngine('jsonl:./data', { load: (name) => (asked.push(name), load(name)) });
    expect(asked).toEqual(['@sessions/jsonl']);
    expect(engine).toEqual({ url: 'jsonl:./data', kind: 'fake jsonl' });
  });

  it('names the adapter package when it is not installed, without leaking the password', async () => {
    const error = await createEngine('redis://:s3cret@127.0.0.1:6379', { load }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterNotInstalledError);
    expect(error).toMatchObject({ code: 'ADAPTER_NOT_INSTALLED', packageName: '@sessions/redis' });
    expect((error as Error).message).toContain('pnpm add @sessions/redis');
    expect((error as Error).message).not.toContain('s3cret');
    expect((error as Error).cause).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
  });

  it('names the driver when the adapter is installed but the driver it imports is not', async () => {
    fakePackage('@sessions/postgres', { 'index.js': "import 'sessions-fake-driver';\nexport const fromUrl = () => ({});\n" });
    const error = await createEngine('postgres://bob:s3cret@127.0.0.1/db', { load }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterNotInstalledError);
    expect(error).toMatchObject({ packageName: 'sessions-fake-driver' });
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('lets any other error from inside an installed adapter through as it is', async () => {
    fakePackage('@sessions/mysql', { 'index.js': "throw new RangeError('adapter failed to start');\n" });
    await expect(createEngine('mysql://root@127.0.0.1/db', { load })).rejects.toThrow(new RangeError('adapter failed to start'));
  });

  it('reports a file missing inside an installed adapter as a broken install, not as a missing package', async () => {
    fakePackage('@sessions/sqlite', { 'index.js': "export { fromUrl } from './dist/gone.js';\n" });
    const error = await createEngine('sqlite:./x.db', { load }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(AdapterNotInstalledError);
    expect(error).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
    expect((error as Error).message).toContain('gone.js');
  });

  it('refuses an adapter module without fromUrl, and bad options', async () => {
    fakePackage('@sessions/redis', { 'index.js': 'export const somethingElse = 1;\n' });
    await expect(createEngine('redis://127.0.0.1', { load })).rejects.toThrow(/@sessions\/redis exports no fromUrl/);
    await expect(createEngine('memory:', { load: 'yes' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(createEngine('memory:', { lode: load } as never)).rejects.toThrow(/unknown option "lode"/);
    await expect(createEngine('memory:', null as never)).rejects.toBeInstanceOf(ValidationError);
  });
});
