import { afterAll, beforeAll, describe, it } from 'vitest';
import { and, compareCodePoints, eq, ilike, inArray, like, SessionManager, ValidationError, type JsonObject } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { CountingPool } from './support/counting-pool.js';
import { dropSchema, randomSchema, requirePostgres, testPool } from './support/database.js';

const schema = randomSchema('hostile');
const inner = testPool();
const pool = new CountingPool(inner);
const engine = new PostgresEngine({ pool, schema });
const sessions = new SessionManager({ engine, limits: { maxMessageBytes: 4 * 1024 * 1024 } });

beforeAll(async () => {
  await requirePostgres();
  await engine.setup();
});
afterAll(async () => {
  await engine.close();
  await inner.end();
  await dropSchema(schema);
});

const HOSTILE = [
  `'; DROP TABLE sessions; --`,
  `" OR 1=1 --`,
  `$1 $$ dollar $$ $tag$`,
  `\\' \\\\ E'\\x41' %_ \\%`,
  `*/ SELECT pg_sleep(10) /*`,
  `Robert'); DELETE FROM messages WHERE ('1'='1`,
  '😀𝄞𠀀 e\u0301 \u202Eevil\u202C \uFFFF \uE000',
];
const MARKER = 'HOSTILE_MARKER_9f2c';

/** Runs `body` and checks that no statement it sent carries a hostile string as SQL text. */
async function expectOnlyBoundValues(expect: (value: unknown) => { not: { toContain(text: string): void } }, body: () => Promise<void>): Promise<void> {
  const start = pool.sent.length;
  await body();
  const sql = pool.sent.slice(start).map((config) => config.text).join('\n');
  expect(sql).not.toContain(MARKER);
  for (const text of HOSTILE) expect(sql).not.toContain(text);
}

describe('hostile input', () => {
  it('round-trips SQL-looking strings, quotes and 4-byte unicode in ids, titles, metadata keys and values, and content, all as bound values', async ({ expect }) => {
    await expectOnlyBoundValues(expect, async () => {
      for (const [i, text] of HOSTILE.entries()) {
        const key = { userId: `${MARKER} ${text}`.slice(0, 200), sessionId: `${text} ${i}` };
        const metadata: JsonObject = { [text]: text, nested: { [`${MARKER}${text}`]: [text, { deeper: text }] }, plain: text };
        const created = await sessions.create({ ...key, title: text, metadata, state: { [text]: text } });
        const [message] = await sessions.append(key, { id: `${text} id`, role: 'user', name: text, content: [{ type: 'text', text }], metadata: { [text]: text } });
        expect(created).toMatchObject({ ...key, title: text, metadata, state: { [text]: text } });
        expect(await sessions.get(key)).toMatchObject({ ...key, title: text, metadata, state: { [text]: text }, messageCount: 1 });
        expect(await sessions.messages(key)).toEqual([message]);
        expect(message).toMatchObject({ id: `${text} id`, name: text, content: [{ type: 'text', text }], metadata: { [text]: text } });

        const { rows } = await inner.query(`SELECT title, metadata::text AS metadata FROM "${schema}"."sessions" WHERE user_id = $1 AND session_id = $2`, [key.userId, key.sessionId]);
        expect(rows[0].title).toBe(text);
        expect(JSON.parse(rows[0].metadata)).toEqual(metadata);
      }
    });
    const { rows } = await inner.query(`SELECT count(*)::int AS n FROM "${schema}"."sessions"`);
    expect(rows[0].n).toBeGreaterThanOrEqual(HOSTILE.length);
  });

  it('matches hostile filter values as values, never as SQL text', async ({ expect }) => {
    const userId = 'filter-user';
    await expectOnlyBoundValues(expect, async () => {
      for (const [i, text] of HOSTILE.entries()) await sessions.create({ userId, sessionId: `f${i}`, title: text, metadata: { q: text } });
      for (const [i, text] of HOSTILE.entries()) {
        const found = await sessions.list({ userId, where: eq('metadata.q', text) });
        expect(found.sessions.map((session) => session.sessionId)).toEqual([`f${i}`]);
        const byTitle = await engine.findMany('sessions', { where: and(eq('userId', userId), eq('title', text)) });
        expect(byTitle.map((session) => session.sessionId)).toEqual([`f${i}`]);
      }
      const escaped = HOSTILE[3]!.replace(/[\\%_]/g, '\\$&');
      expect((await sessions.list({ userId, where: like('metadata.q', escaped) })).sessions.map((s) => s.sessionId)).toEqual(['f3']);
      expect((await sessions.list({ userId, where: ilike('title', `%DROP table%`) })).sessions.map((s) => s.sessionId)).toEqual(['f0']);
      expect((await sessions.list({ userId, where: inArray('metadata.q', HOSTILE.slice(0, 2)) })).sessions).toHaveLength(2);
    });
    expect(await engine.count('sessions', { where: eq('userId', userId) })).toBe(HOSTILE.length);
  });

  it('lists leases of hostile keys by bound values only', async ({ expect }) => {
    const userId = `${MARKER} leases`;
    await expectOnlyBoundValues(expect, async () => {
      for (const text of HOSTILE) await engine.acquireLease({ userId, sessionId: text }, { owner: text, ttlMs: 60_000 });
      const listed = await engine.listLeases({ userId, held: true });
      expect(listed.map((lease) => [lease.sessionId, lease.owner])).toEqual([...HOSTILE].sort(compareCodePoints).map((text) => [text, text]));
      for (const [i, lease] of listed.entries()) {
        expect(await engine.listLeases({ userId, after: lease })).toEqual(listed.slice(i + 1));
      }
    });
  });

  it('stores strings at the length limits exactly, counted in code points', async ({ expect }) => {
    const longId = '😀'.repeat(255);
    const key = { userId: longId, sessionId: '𝄞'.repeat(255) };
    const title = '𠀀'.repeat(1_000);
    const longKey = `k${'é'.repeat(10_000)}`;
    const metadata = { [longKey]: 'v'.repeat(200_000) };
    await sessions.create({ ...key, title, metadata });
    const content = '😀'.repeat(500_000);
    await sessions.append(key, { id: longId, role: 'assistant', content });
    expect(await sessions.get(key)).toMatchObject({ title, metadata });
    expect((await sessions.messages(key))[0]).toMatchObject({ id: longId, content });
    expect((await sessions.list({ userId: longId, where: eq(`metadata.q`, 'x') })).sessions).toEqual([]);
  });

  it('rejects what cannot be stored with a ValidationError, writing nothing', async ({ expect }) => {
    const userId = 'rejects';
    await expect(sessions.create({ userId, sessionId: '😀'.repeat(256) })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.create({ userId, sessionId: 'nul\u0000id' })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.create({ userId, sessionId: 'nul-title', title: 'a\u0000b' })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.create({ userId, sessionId: 'nul-key', metadata: { 'a\u0000b': 1 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.create({ userId, sessionId: 'nul-value', metadata: { a: 'b\u0000' } })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.create({ userId, sessionId: 'lone-surrogate', title: '\uD800' })).rejects.toBeInstanceOf(ValidationError);
    await sessions.create({ userId, sessionId: 'ok' });
    await expect(sessions.append({ userId, sessionId: 'ok' }, [{ role: 'user', content: 'fine' }, { role: 'user', content: 'bad\u0000' }])).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.list({ userId, where: eq('metadata.a', 'x\u0000') })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.list({ userId, where: eq("metadata.a'; DROP TABLE x; --", 'x') })).rejects.toBeInstanceOf(ValidationError);
    expect((await engine.findMany('sessions', { where: eq('userId', userId) })).map((session) => session.sessionId)).toEqual(['ok']);
    expect(await sessions.messages({ userId, sessionId: 'ok' })).toEqual([]);
  });
});
