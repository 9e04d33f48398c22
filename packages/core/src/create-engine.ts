import type { Engine } from './engine/engine.js';
import { AdapterNotInstalledError, redactUrl, ValidationError } from './errors.js';
import { MemoryEngine } from './memory/memory-engine.js';

/** What an adapter package exports so `createEngine` can build it from a URL. */
export interface AdapterModule {
  fromUrl(url: string): Engine | Promise<Engine>;
}

/** The adapter package behind each URL scheme. */
export const ADAPTER_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  'sqlite:': '@sessions/sqlite',
  'jsonl:': '@sessions/jsonl',
  'postgres:': '@sessions/postgres',
  'postgresql:': '@sessions/postgres',
  'mysql:': '@sessions/mysql',
  'mariadb:': '@sessions/mysql',
  'redis:': '@sessions/redis',
  'rediss:': '@sessions/redis',
});

/** The adapter package a URL needs (`'@sessions/sqlite'` for `sqlite:…`), or undefined for `memory:` and unknown schemes. */
export function adapterPackageFor(url: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase();
  return scheme === undefined ? undefined : ADAPTER_PACKAGES[scheme];
}

const registered = new Map<string, () => Promise<AdapterModule> | AdapterModule>();

/**
 * Makes `createEngine` use `load` for a URL scheme (e.g. `'sqlite:'`) instead of importing the
 * adapter package by name: for bundlers, tests, or a third-party adapter with its own scheme.
 */
export function registerAdapter(scheme: string, load: () => Promise<AdapterModule> | AdapterModule): void {
  if (!/^[a-z][a-z0-9+.-]*:$/.test(scheme)) throw new ValidationError(`a scheme looks like "sqlite:", got ${JSON.stringify(scheme)}`, { path: 'scheme' });
  registered.set(scheme, load);
}

/**
 * Builds an engine from a URL, loading the adapter package on demand. Call `setup()` on the
 * result before use.
 *
 * | URL | package |
 * | --- | --- |
 * | `memory:` | `@sessions/core` |
 * | `sqlite:./sessions.db`, `sqlite::memory:` | `@sessions/sqlite` |
 * | `jsonl:./data` | `@sessions/jsonl` |
 * | `postgres://…`, `postgresql://…` | `@sessions/postgres` |
 * | `mysql://…`, `mariadb://…` | `@sessions/mysql` |
 * | `redis://…`, `rediss://…` | `@sessions/redis` |
 *
 * @example
 * const engine = await createEngine(process.env.SESSIONS_URL ?? 'sqlite:./sessions.db')
 * await engine.setup()
 */
export async function createEngine(url: string): Promise<Engine> {
  if (typeof url !== 'string' || url.length === 0) throw new ValidationError('createEngine needs a URL such as "sqlite:./sessions.db"', { path: 'url' });
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) throw new ValidationError(`${JSON.stringify(redactUrl(url))} has no scheme; use memory:, sqlite:, jsonl:, postgres://, mysql://, mariadb://, redis:// or rediss://`, { path: 'url' });
  const custom = registered.get(scheme);
  if (custom) return (await custom()).fromUrl(url);
  if (scheme === 'memory:') {
    // Schemes are case-insensitive (RFC 3986), so MEMORY: is memory: too; anything after it is not an option this engine has.
    if (url.length !== scheme.length) throw new ValidationError('the in-memory engine takes no options: use "memory:"', { path: 'url' });
    return new MemoryEngine();
  }
  const packageName = ADAPTER_PACKAGES[scheme];
  if (!packageName) {
    throw new ValidationError(`unknown scheme ${JSON.stringify(scheme)}; use memory:, sqlite:, jsonl:, postgres://, mysql://, mariadb://, redis:// or rediss://`, { path: 'url' });
  }
  const adapter = await loadAdapter(packageName, url);
  return adapter.fromUrl(url);
}

async function loadAdapter(packageName: string, url: string): Promise<AdapterModule> {
  try {
    return (await import(packageName)) as AdapterModule;
  } catch (error) {
    if (!isMissingPackage(error, packageName)) throw error;
  }
  // Strict installs (pnpm) may not let core see the adapter; the application can.
  const fromApp = await importFromWorkingDirectory(packageName);
  if (fromApp) return fromApp;
  throw new AdapterNotInstalledError(packageName, url);
}

async function importFromWorkingDirectory(packageName: string): Promise<AdapterModule | undefined> {
  if (typeof process === 'undefined' || typeof process.cwd !== 'function') return undefined;
  const { createRequire } = await import('node:module');
  const { pathToFileURL } = await import('node:url');
  const { readFile } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  let manifestPath: string;
  try {
    // Resolve the manifest, not the entry: a CommonJS resolver cannot see an ESM-only `exports` entry.
    manifestPath = createRequire(`${process.cwd()}/`).resolve(`${packageName}/package.json`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined;
    throw error;
  }
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { exports?: unknown; main?: string };
  const entry = esmEntry(manifest.exports) ?? manifest.main ?? 'index.js';
  return (await import(pathToFileURL(join(dirname(manifestPath), entry)).href)) as AdapterModule;
}

function esmEntry(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const root = (exports as Record<string, unknown>)['.'] ?? exports;
  if (typeof root === 'string') return root;
  if (typeof root !== 'object' || root === null) return undefined;
  const conditions = root as Record<string, unknown>;
  for (const condition of ['import', 'node', 'default']) {
    const target = conditions[condition];
    if (typeof target === 'string') return target;
  }
  return undefined;
}

function isMissingPackage(error: unknown, packageName: string): boolean {
  const code = (error as { code?: string } | null)?.code;
  // Only the package itself missing counts: a file missing inside an installed package is a broken install.
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${packageName}'`);
}
