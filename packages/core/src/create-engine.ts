import type { Engine } from './engine/engine.js';
import { AdapterNotInstalledError, redactUrl, ValidationError } from './errors.js';
import { MemoryEngine } from './memory/memory-engine.js';
import { missingPackageOf } from './missing-package.js';
import { urlScheme } from './url-scheme.js';

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
  const scheme = urlScheme(url);
  return scheme === undefined ? undefined : ADAPTER_PACKAGES[scheme];
}

const registered = new Map<string, () => Promise<AdapterModule> | AdapterModule>();

/**
 * Makes `createEngine` use `load` for a URL scheme (e.g. `'sqlite:'`) instead of importing the
 * adapter package by name: for bundlers, tests, or a third-party adapter with its own scheme.
 */
export function registerAdapter(scheme: string, load: () => Promise<AdapterModule> | AdapterModule): void {
  if (typeof scheme !== 'string' || urlScheme(scheme) !== scheme)
    throw new ValidationError(`a scheme looks like "sqlite:", got ${JSON.stringify(scheme)}`, { path: 'scheme' });
  registered.set(scheme, load);
}

/** Options for {@link createEngine}. */
export interface CreateEngineOptions {
  /**
   * Imports an adapter package by name. By default core imports it itself, which finds the adapters installed
   * beside it (they are optional peer dependencies of `@sessions/core`, so pnpm links them and npm hoists them).
   * Pass `(name) => import(name)` to resolve from your own module instead: when core is installed apart from
   * your adapters (a global tool, a bundle, an unusual layout).
   */
  load?: (packageName: string) => Promise<unknown>;
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
 * Throws `AdapterNotInstalledError` naming the package to install when the adapter, or a package it imports (its
 * database driver), is missing; any other failure inside an installed adapter is thrown as it is.
 *
 * @example
 * const engine = await createEngine(process.env.SESSIONS_URL ?? 'sqlite:./sessions.db')
 * await engine.setup()
 */
export async function createEngine(url: string, options: CreateEngineOptions = {}): Promise<Engine> {
  if (typeof url !== 'string' || url.length === 0) throw new ValidationError('createEngine needs a URL such as "sqlite:./sessions.db"', { path: 'url' });
  const load = loaderFrom(options);
  const scheme = urlScheme(url);
  if (!scheme)
    throw new ValidationError(
      `${JSON.stringify(redactUrl(url))} has no scheme; use memory:, sqlite:, jsonl:, postgres://, mysql://, mariadb://, redis:// or rediss://`,
      { path: 'url' },
    );
  const custom = registered.get(scheme);
  if (custom) return (await custom()).fromUrl(url);
  if (scheme === 'memory:') {
    // Schemes are case-insensitive (RFC 3986), so MEMORY: is memory: too; anything after it is not an option this engine has.
    if (url.length !== scheme.length) throw new ValidationError('the in-memory engine takes no options: use "memory:"', { path: 'url' });
    return new MemoryEngine();
  }
  const packageName = ADAPTER_PACKAGES[scheme];
  if (!packageName) {
    throw new ValidationError(
      `unknown scheme ${JSON.stringify(scheme)}; use memory:, sqlite:, jsonl:, postgres://, mysql://, mariadb://, redis:// or rediss://`,
      { path: 'url' },
    );
  }
  const adapter = await loadAdapter(packageName, url, load);
  return adapter.fromUrl(url);
}

// A plain import from core's own location: the ecosystem's way of finding optional peers in every layout.
const importFromCore = (packageName: string): Promise<unknown> => import(packageName);

function loaderFrom(options: CreateEngineOptions): (packageName: string) => Promise<unknown> {
  if (typeof options !== 'object' || options === null)
    throw new ValidationError('createEngine options must be an object such as { load }', { path: 'options' });
  for (const key of Object.keys(options)) {
    if (key !== 'load') throw new ValidationError(`unknown option ${JSON.stringify(key)}; createEngine takes { load }`, { path: 'options' });
  }
  if (options.load === undefined) return importFromCore;
  if (typeof options.load !== 'function') throw new ValidationError('load must be a function such as (name) => import(name)', { path: 'options.load' });
  return options.load;
}

async function loadAdapter(packageName: string, url: string, load: (packageName: string) => Promise<unknown>): Promise<AdapterModule> {
  let module: unknown;
  try {
    module = await load(packageName);
  } catch (error) {
    // The adapter itself, or a package it imports (its driver): installing the package named fixes either.
    const missing = missingPackageOf(error);
    if (missing === undefined) throw error;
    throw new AdapterNotInstalledError(missing, url, { cause: error });
  }
  const adapter = module as Partial<AdapterModule> & { default?: Partial<AdapterModule> };
  const fromUrl = adapter.fromUrl ?? adapter.default?.fromUrl;
  if (typeof fromUrl !== 'function')
    throw new ValidationError(`${packageName} exports no fromUrl(url): is the installed package a @sessions adapter?`, { path: 'url' });
  return { fromUrl };
}
