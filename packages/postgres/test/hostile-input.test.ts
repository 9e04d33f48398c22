import { afterAll, beforeAll, describe, it } from 'vitest';
import { and, eq, ilike, inArray, like, MessageExistsError, SessionManager, ValidationError, type JsonObject } from '@sessions/core';
import { compareCodePoints } from '@sessions/core/engine';
import { PostgresEngine } from '../src/index.js';
import { countingPool, PG_POOL } from '@sessions/test-support';
import { dropSchema, randomSchema, requirePostgres, testPool } from './support/database.js';

const schema = randomSchema('hostile');
const inner = testPool();
const pool = countingPool(inner, PG_POOL);
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
  const sql = pool.sent
    .slice(start)
    .map((config) => config.text)
    .join('\n');
  expect(sql).not.toContain(MARKER);
  for (const text of HOSTILE) expect(sql).not.toContain(text);
}

describe('hostile input', () => {
  it('round-trips SQL-looking strings, quotes and 4-byte unicode in ids, titles, metadata keys and values, and content, all as bound values', async ({
    expect,
  }) => {
    await expectOnlyBoundValues(expect, async () => {
      for (const [i, text] of HOSTILE.entries()) {
        const key = { userId: `${MARKER} ${text}`.slice(0, 200), sessionId: `${text} ${i}` };
        const metadata: JsonObject = { [text]: text, nested: { [`${MARKER}${text}`]: [text, { deeper: text }] }, plain: text };
        const created = await sessions.create({ ...key, title: text, metadata, state: { [text]: text } });
        const [message] = await sessions.append(key, {
          id: `${text} id`,
          role: 'user',
          name: text,
          content: [{ type: 'text', text }],
          metadata: { [text]: text },
        });
        expect(created).toMatchObject({ ...key, title: text, metadata, state: { [text]: text } });
        expect(await sessions.get(key)).toMatchObject({ ...key, title: text, metadata, state: { [text]: text }, messageCount: 1 });
        expect(await sessions.messages(key)).toEqual([message]);
        expect(message).toMatchObject({ id: `${text} id`, name: text, content: [{ type: 'text', text }], metadata: { [text]: text } });

        const { rows } = await inner.query(`SELECT title, metadata::text AS metadata FROM "${schema}"."sessions" WHERE user_id = $1 AND session_id = $2`, [
          key.userId,
          key.sessionId,
        ]);
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

  it('takes the longest ids there are: 255 random 4-byte characters each, which do not compress, through every operation', async ({ expect }) => {
    // Three such ids are about 3 KB, more than a btree entry holds (2704 bytes): every index
    // must keep its entry under that, and the unique message id index does so by a hash.
    const key = { userId: incompressibleId(), sessionId: incompressibleId() };
    const [firstId, secondId, owner, forkId] = [incompressibleId(), incompressibleId(), incompressibleId(), incompressibleId()];
    expect(new TextEncoder().encode(key.userId + key.sessionId + firstId).length).toBe(3 * 255 * 4);

    await sessions.create({ ...key, title: 'longest ids' });
    const lease = await sessions.acquire(key, { owner, ttlMs: 60_000 });
    expect(lease.owner).toBe(owner);
    const appended = await sessions.append(
      key,
      [
        { id: firstId, role: 'user', content: 'one' },
        { id: secondId, role: 'assistant', content: 'two' },
      ],
      { lease },
    );
    expect(appended.map((message) => message.id)).toEqual([firstId, secondId]);
    await expect(sessions.append(key, { id: firstId, role: 'user', content: 'again' }, { lease })).rejects.toBeInstanceOf(MessageExistsError);
    expect((await sessions.messages(key)).map((message) => [message.seq, message.id])).toEqual([
      [1, firstId],
      [2, secondId],
    ]);
    expect(await engine.listLeases({ userId: key.userId })).toEqual([expect.objectContaining({ ...key, owner, held: true })]);
    await sessions.renew(lease);

    const fork = await sessions.fork(key, { sessionId: forkId });
    const forkKey = { userId: key.userId, sessionId: forkId };
    expect((await sessions.messages(forkKey)).map((message) => message.id)).toEqual([firstId, secondId]);
    expect(await sessions.truncate(key, { afterSeq: 1 }, { lease })).toBe(1);
    await sessions.append(key, { id: secondId, role: 'assistant', content: 'two, again' }, { lease });
    expect((await sessions.messages(key)).map((message) => [message.seq, message.id])).toEqual([
      [1, firstId],
      [3, secondId],
    ]);

    expect(await sessions.release(lease)).toBe(true);
    expect(await sessions.delete(key)).toBe(true);
    expect(await sessions.delete(forkKey)).toBe(true);
    expect(fork.parentSessionId).toBe(key.sessionId);
    expect(await sessions.get(key)).toBeNull();
    expect(await engine.readMessages(forkKey)).toEqual([]);
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
    await expect(
      sessions.append({ userId, sessionId: 'ok' }, [
        { role: 'user', content: 'fine' },
        { role: 'user', content: 'bad\u0000' },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.list({ userId, where: eq('metadata.a', 'x\u0000') })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.list({ userId, where: eq("metadata.a'; DROP TABLE x; --", 'x') })).rejects.toBeInstanceOf(ValidationError);
    expect((await engine.findMany('sessions', { where: eq('userId', userId) })).map((session) => session.sessionId)).toEqual(['ok']);
    expect(await sessions.messages({ userId, sessionId: 'ok' })).toEqual([]);
  });
});

/** 255 random code points from U+10000 to U+10FFFF: four UTF-8 bytes each, and no repetition to compress. */
function incompressibleId(): string {
  return Array.from({ length: 255 }, () => String.fromCodePoint(0x10000 + Math.floor(Math.random() * 0x100000))).join('');
}
