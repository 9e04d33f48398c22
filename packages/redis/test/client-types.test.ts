import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { Cluster, Redis, type ChainableCommander, type RedisOptions } from 'ioredis';
import { CLIENT_DEFAULTS, RedisEngine, type RedisClient, type RedisClientOptions, type RedisPipeline } from '../src/index.js';
import type { IoredisModule } from '../src/connection.js';
import type { RedisConnection } from '../src/redis-client.js';

// The package types its clients by interfaces of its own. These assignments are the type test:
// `pnpm typecheck` fails if an ioredis client, pipeline or option set stops fitting them.
type Fits<T, Target> = T extends Target ? true : never;
const typeChecks: Array<true> = [
  true satisfies Fits<Redis, RedisClient>,
  true satisfies Fits<Cluster, RedisClient>,
  true satisfies Fits<ChainableCommander, RedisPipeline>,
  // The engine creates its own client with ioredis' constructor and options, typed by these.
  true satisfies Fits<Redis, RedisConnection>,
  true satisfies Fits<typeof import('ioredis'), IoredisModule>,
  true satisfies Fits<RedisClientOptions, RedisOptions>,
];

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? declarationFiles(join(dir, entry.name)) : entry.name.endsWith('.d.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('the client types', () => {
  it('take an ioredis Redis and Cluster as they are, with no cast', async ({ expect }) => {
    expect(typeChecks).toHaveLength(6);
    const redis = new Redis({ lazyConnect: true });
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    try {
      const engines = [new RedisEngine({ client: redis }), new RedisEngine({ client: cluster })];
      expect(engines.map((engine) => engine.client)).toEqual([redis, cluster]);
      const ownOptions: RedisClientOptions = { ...CLIENT_DEFAULTS, commandTimeout: 1_000 };
      expect(new RedisEngine({ url: 'redis://127.0.0.1:1', redisOptions: ownOptions }).client).toBeInstanceOf(Redis);
    } finally {
      redis.disconnect();
      cluster.disconnect();
    }
  });

  it('keep ioredis out of the published declarations (built dist)', ({ expect }) => {
    const files = declarationFiles(dist);
    expect(files.map((file) => file.slice(dist.length))).toEqual(expect.arrayContaining(['index.d.ts', 'testing.d.ts', 'redis-client.d.ts']));
    // Comments may show ioredis in examples; only code that imports its types counts.
    const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const naming = files.filter((file) => /from ['"]ioredis['"]|import\(['"]ioredis['"]\)/.test(code(file)));
    expect(naming.map((file) => file.slice(dist.length))).toEqual([]);
  });
});
