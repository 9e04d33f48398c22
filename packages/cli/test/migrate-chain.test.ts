import { join } from 'node:path';
import { createEngine, SessionManager, type Engine } from '@sessions/core';
import { SqliteEngine } from '@sessions/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { seedVariety, snapshot } from './support/fixtures.js';
import { runBin } from './support/run-bin.js';
import { seedBulk } from './support/seed-sqlite.js';
import { mysqlStore, postgresStore, redisStore, type ServerStore } from './support/servers.js';
import { removeTempDirs, tempDir } from './support/temp.js';

const dropped: ServerStore[] = [];
afterAll(async () => {
  for (const store of dropped.splice(0)) await store.drop().catch(() => undefined);
  await removeTempDirs();
});

async function server(make: () => Promise<ServerStore>): Promise<string> {
  const store = await make();
  dropped.push(store);
  return store.url;
}

async function withEngine<T>(url: string, use: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine(url);
  await engine.setup();
  try {
    return await use(engine);
  } finally {
    await engine.close();
  }
}

describe('migrating through every backend', () => {
  it('SQLite -> PostgreSQL -> Redis -> JSONL -> MySQL and back to SQLite ends equal to the start, message for message', async () => {
    const dir = await tempDir();
    const firstPath = join(dir, 'first.db');
    {
      await using engine = new SqliteEngine({ path: firstPath });
      await engine.setup();
      await seedVariety(new SessionManager({ engine }));
      // Enough to page through, and two histories longer than one batch (copied by appending).
      await seedBulk(engine, { sessions: 150, messages: 4, long: 2, longMessages: 700 });
    }
    const first = `sqlite:${firstPath}`;
    const expected = await withEngine(first, (engine) => snapshot(engine));
    const sessions = expected.length;

    const chain = [
      first,
      await server(postgresStore),
      await server(redisStore),
      `jsonl:${join(dir, 'jsonl-1')}`,
      await server(mysqlStore),
      `jsonl:${join(dir, 'jsonl-2')}`,
      await server(redisStore),
      await server(postgresStore),
      `sqlite:${join(dir, 'last.db')}`,
    ];
    for (let hop = 1; hop < chain.length; hop++) {
      const [from, to] = [chain[hop - 1]!, chain[hop]!];
      const result = await runBin(['migrate', from, to, '--json', '--batch-size', '250']);
      expect(result.code, `${from} -> ${to}: ${result.stderr}`).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary.sessions, `${from} -> ${to}`).toMatchObject({ scanned: sessions, copied: sessions, conflicts: 0 });
      expect(summary.verification.ok, `${from} -> ${to}`).toBe(true);
      expect(await withEngine(to, (engine) => snapshot(engine)), `${to} holds what ${first} holds`).toEqual(expected);
    }
  });
});
