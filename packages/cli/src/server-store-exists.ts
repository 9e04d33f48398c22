import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { schemeOf } from './adapters.js';

/** The answer of a probe: whether the store is there, and what was looked for, for messages. */
export interface StoreProbe {
  readonly exists: boolean;
  /** What marks the store, e.g. `table "typo"."sessions"`. */
  readonly lookedFor: string;
}

/**
 * Whether the store behind a server URL has been set up, asked without creating anything, so
 * commands that only read or delete can refuse a mistyped schema or prefix instead of letting
 * `setup()` create it. Undefined when it cannot be asked (another scheme, or no driver to ask
 * with); the caller then opens the store as before.
 *
 * The probes know each adapter's naming: `<schema>.<tablePrefix>sessions` on PostgreSQL,
 * `<tablePrefix>sessions` in the URL's database on MySQL, `<prefix>{:}schema` on Redis. An
 * engine method in core asking the same would make this file unnecessary.
 */
export async function probeServerStore(url: string, timeoutMs: number): Promise<StoreProbe | undefined> {
  switch (schemeOf(url)) {
    case 'postgres:':
    case 'postgresql:':
      return probePostgres(url, timeoutMs);
    case 'mysql:':
    case 'mariadb:':
      return probeMysql(url, timeoutMs);
    case 'redis:':
    case 'rediss:':
      return probeRedis(url, timeoutMs);
    default:
      return undefined;
  }
}

interface PgModule {
  Client: new (config: Record<string, unknown>) => {
    on(event: 'error', listener: () => void): void;
    connect(): Promise<void>;
    query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
    end(): Promise<void>;
  };
}

async function probePostgres(url: string, timeoutMs: number): Promise<StoreProbe | undefined> {
  const pg = await loadDriver<PgModule>('@sessions/postgres', 'pg');
  if (!pg) return undefined;
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  const table = `${parsed.searchParams.get('tablePrefix') ?? ''}sessions`;
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('tablePrefix');
  const qualified = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const client = new pg.Client({ connectionString: parsed.toString(), connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [qualified]);
    return { exists: rows[0]?.['present'] === true, lookedFor: `table ${qualified}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface Mysql2Promise {
  createConnection(config: Record<string, unknown>): Promise<{
    query(sql: string, values: unknown[]): Promise<[Record<string, unknown>[], unknown]>;
    end(): Promise<void>;
  }>;
}

async function probeMysql(url: string, timeoutMs: number): Promise<StoreProbe | undefined> {
  const mysql = await loadDriver<Mysql2Promise>('@sessions/mysql', 'mysql2/promise');
  if (!mysql) return undefined;
  const parsed = new URL(url);
  // The adapter's default table prefix (DEFAULT_TABLE_PREFIX in @sessions/mysql).
  const table = `${parsed.searchParams.get('tablePrefix') ?? 'sessions_'}sessions`;
  parsed.searchParams.delete('tablePrefix');
  parsed.searchParams.delete('connectionLimit');
  const connection = await mysql.createConnection({ uri: parsed.toString(), connectTimeout: timeoutMs });
  try {
    const [rows] = await connection.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [table]);
    return { exists: Number(rows[0]?.['n']) > 0, lookedFor: `table \`${table}\`` };
  } finally {
    await connection.end().catch(() => undefined);
  }
}

type RedisClass = new (
  url: string,
  options: Record<string, unknown>,
) => {
  on(event: 'error', listener: () => void): void;
  connect(): Promise<void>;
  exists(key: string): Promise<number>;
  disconnect(): void;
};

async function probeRedis(url: string, timeoutMs: number): Promise<StoreProbe | undefined> {
  const Redis = await loadDriver<RedisClass>('@sessions/redis', 'ioredis');
  if (!Redis) return undefined;
  const parsed = new URL(url);
  // The adapter's default prefix (DEFAULT_PREFIX in @sessions/redis) and the key setup() writes.
  const key = `${parsed.searchParams.get('prefix') ?? 'sessions:'}{:}schema`;
  for (const name of ['prefix', 'defaultTtlMs', 'expiryGraceMs']) parsed.searchParams.delete(name);
  // ioredis reads TLS from the scheme only when it is spelled in lower case (as the adapter does).
  const client = new Redis(parsed.toString().replace(/^rediss?:/i, (scheme) => scheme.toLowerCase()), {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return { exists: (await client.exists(key)) === 1, lookedFor: `key ${JSON.stringify(key)}` };
  } finally {
    client.disconnect();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The driver as the adapter sees it: drivers are the adapters' peer dependencies, installed
 * next to them, not necessarily resolvable from the CLI. Then from the working directory,
 * where `createEngine` also looks.
 */
async function loadDriver<T>(adapterPackage: string, driver: string): Promise<T | undefined> {
  const bases: string[] = [];
  try {
    bases.push(import.meta.resolve(adapterPackage));
  } catch {
    // not resolvable from here; try the working directory
  }
  bases.push(pathToFileURL(join(process.cwd(), 'noop.js')).href);
  for (const base of bases) {
    let path: string;
    try {
      path = createRequire(base).resolve(driver);
    } catch {
      continue;
    }
    const module = (await import(pathToFileURL(path).href)) as { default?: T } & T;
    return module.default ?? module;
  }
  return undefined;
}
