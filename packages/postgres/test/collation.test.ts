import { afterAll, beforeAll, describe, it } from 'vitest';
import { and, eq, gt, gte, ilike, inArray, like, lt, MemoryEngine, ne, not, type Engine, type Filter, type OrderBy, type Session } from '@sessions/core';
import pg from 'pg';
import { PostgresEngine } from '../src/index.js';
import { POSTGRES_URL, requirePostgres } from './support/database.js';

// A database whose default collation is ICU en-US: case-insensitive-first, accent-aware
// ordering that differs from code point order. The engine must not inherit it.
const database = `sessions_test_icu_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
const databaseUrl = (() => {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
})();

async function admin<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

const TRICKY = [
  'a',
  'A',
  'b',
  'B',
  'Z',
  'z',
  'é',
  'E',
  'e',
  'ß',
  'ss',
  'İ',
  'i',
  'ǅ',
  'a b',
  'a-b',
  'ab',
  'aB',
  '',
  '😀',
  '\uE000',
  '\uFFFF',
  '𝄞',
  'Ä',
  'a\u0301',
  'á',
  '10',
  '9',
  '_',
  '%',
];
const userId = 'collation';
const postgres = new PostgresEngine({ connectionString: databaseUrl });
const memory = new MemoryEngine();

beforeAll(async () => {
  await requirePostgres();
  await admin((client) =>
    client.query(`CREATE DATABASE "${database}" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`),
  );
  await postgres.setup();
  await memory.setup();
  const now = Date.now();
  for (const [i, text] of TRICKY.entries()) {
    const session: Session = {
      userId,
      sessionId: `s${String(i).padStart(2, '0')}`,
      title: text,
      metadata: { text, n: i % 5, flag: i % 2 === 0 },
      state: {},
      status: 'active',
      createdAt: new Date(now - i * 1000),
      updatedAt: new Date(now - (i % 7) * 1000),
      expiresAt: i % 3 === 0 ? null : new Date(now + i * 1000),
      parentSessionId: null,
      parentSeq: null,
      messageCount: 0,
      lastSeq: 0,
      version: 0,
    };
    await postgres.createSession(session);
    await memory.createSession(session);
  }
});

afterAll(async () => {
  await postgres.close();
  await memory.close();
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
});

async function ids(engine: Engine, where: Filter, orderBy: OrderBy = [{ field: 'sessionId', direction: 'asc' }]): Promise<string[]> {
  return (await engine.findMany('sessions', { where: and(eq('userId', userId), where), orderBy })).map((session) => session.sessionId);
}

describe('code point order in a database with an ICU en-US default collation', () => {
  it('the database really sorts differently by default', async ({ expect }) => {
    const { rows } = await postgres.pool.query({ text: `SELECT x FROM unnest(ARRAY['a', 'B', 'b', 'A']) AS x ORDER BY x` });
    expect(rows.map((row) => row['x'])).not.toEqual(['A', 'B', 'a', 'b']);
  });

  it.for(['asc', 'desc'] as const)('orders titles by code point, %s, like the reference engine', async (direction, { expect }) => {
    const orderBy: OrderBy = [{ field: 'title', direction }];
    expect(await ids(postgres, and(), orderBy)).toEqual(await ids(memory, and(), orderBy));
  });

  it('compares title and metadata strings by code point', async ({ expect }) => {
    for (const value of TRICKY) {
      for (const filter of [gt('title', value), lt('title', value), gte('metadata.text', value), lt('metadata.text', value), ne('metadata.text', value)]) {
        expect({ value, filter, ids: await ids(postgres, filter) }).toEqual({ value, filter, ids: await ids(memory, filter) });
      }
    }
  });

  it('keeps like case-sensitive and folds only ASCII letters for ilike', async ({ expect }) => {
    const patterns = ['a%', 'A%', '_', '__', 'É', 'é', 'İ', 'I', 'SS', 'ß', '\\_', '\\%', '%b', 'a_b', '😀', '_\uFFFF'];
    for (const pattern of patterns) {
      for (const filter of [like('title', pattern), ilike('title', pattern), ilike('metadata.text', pattern), not(ilike('metadata.text', pattern))]) {
        expect({ pattern, filter, ids: await ids(postgres, filter) }).toEqual({ pattern, filter, ids: await ids(memory, filter) });
      }
    }
  });

  it('matches inArray on strings exactly, without case or accent folding', async ({ expect }) => {
    const filter = inArray('metadata.text', ['a', 'é', 'ss', '😀']);
    expect(await ids(postgres, filter)).toEqual(await ids(memory, filter));
    expect(await ids(postgres, filter)).toHaveLength(4);
  });

  it('lists leases in code point order, page by page, like the reference engine', async ({ expect }) => {
    const leaseUsers = ['b', 'B', 'é', '😀'].map((suffix) => `leases ${suffix}`);
    for (const leaseUser of leaseUsers) {
      for (const sessionId of TRICKY.filter((text) => text !== '')) {
        for (const engine of [postgres, memory]) await engine.acquireLease({ userId: leaseUser, sessionId }, { owner: 'lister', ttlMs: 60_000 });
      }
    }
    const pages = async (engine: Engine): Promise<string[][]> => {
      const keys: string[][] = [];
      let after: { userId: string; sessionId: string } | undefined;
      for (;;) {
        const page = await engine.listLeases({ limit: 7, ...(after ? { after } : {}) });
        keys.push(...page.filter((lease) => leaseUsers.includes(lease.userId)).map((lease) => [lease.userId, lease.sessionId]));
        if (page.length < 7) return keys;
        after = page.at(-1)!;
      }
    };
    const expected = await pages(memory);
    expect(expected).toHaveLength(leaseUsers.length * (TRICKY.length - 1));
    expect(await pages(postgres)).toEqual(expected);
    const query = { userId: 'leases é', after: { userId: 'leases é', sessionId: 'a' }, limit: 1_000 };
    const sessionIds = async (engine: Engine) => (await engine.listLeases(query)).map((lease) => lease.sessionId);
    expect(await sessionIds(postgres)).toEqual(await sessionIds(memory));
  });
});
