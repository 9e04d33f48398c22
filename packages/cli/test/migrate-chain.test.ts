import { createEngine, SessionManager, type Engine } from '@sessions/core';
import { afterAll, describe, expect, it } from 'vitest';
import { seedVariety, snapshot } from './support/fixtures.js';
import { runBin } from './support/run-bin.js';
import { seedBulk } from './support/seed-sqlite.js';
import { dropStores, jsonlStore, mysqlStore, postgresStore, redisStore, sqliteStore, trackedStore, type TestStore } from './support/test-stores.js';

afterAll(dropStores);

const storeUrl = async (make: () => Promise<TestStore>): Promise<string> => (await trackedStore(make)).url;

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
    const start = await trackedStore(sqliteStore);
    {
      await using engine = start.engine();
      await engine.setup();
      await seedVariety(new SessionManager({ engine }));
      // Enough to page through, and two histories longer than one batch (copied by appending).
      await seedBulk(engine, { sessions: 150, messages: 4, long: 2, longMessages: 700 });
    }
    const first = start.url;
    const expected = await withEngine(first, (engine) => snapshot(engine));
    const sessions = expected.length;

    const chain = [
      first,
      await storeUrl(postgresStore),
      await storeUrl(redisStore),
      await storeUrl(jsonlStore),
      await storeUrl(mysqlStore),
      await storeUrl(jsonlStore),
      await storeUrl(redisStore),
      await storeUrl(postgresStore),
      await storeUrl(sqliteStore),
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
