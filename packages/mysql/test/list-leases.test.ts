import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEngine, type Engine, type SessionKey } from '@sessions/core';
import { MysqlEngine } from '../src/index.js';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('list_leases');

// Orders that differ from code point order under a case- or accent-insensitive or PAD SPACE
// collation, 4-byte characters (UTF-16 order differs), and SQL-looking text.
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
  'a ',
  'a  ',
  'a b',
  'ab',
  'aB',
  '😀',
  '\uE000',
  '\uFFFF',
  '𝄞',
  'a\u0301',
  'á',
  '10',
  '9',
  '_',
  '%',
  `'); DROP TABLE leases; --`,
  '`ticked`',
];
const USERS = ['b', 'B', 'é', '😀', 'b '];

describe('listLeases', () => {
  let engine: MysqlEngine;
  const memory = new MemoryEngine();

  beforeAll(async () => {
    engine = new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('l')}_` });
    await engine.setup();
    await memory.setup();
    for (const userId of USERS) {
      for (const sessionId of TRICKY) {
        for (const target of [engine, memory]) await target.acquireLease({ userId, sessionId }, { owner: sessionId, ttlMs: 60_000 });
      }
    }
  });
  afterAll(async () => {
    await engine.close();
    await memory.close();
  });

  async function pages(target: Engine, limit: number): Promise<string[][]> {
    const keys: string[][] = [];
    let after: SessionKey | undefined;
    for (;;) {
      const page = await target.listLeases({ limit, ...(after ? { after } : {}) });
      keys.push(...page.map((lease) => [lease.userId, lease.sessionId, lease.owner]));
      if (page.length < limit) return keys;
      after = page.at(-1)!;
    }
  }

  it('lists every lease in code point order, page by page, like the reference engine', async () => {
    const expected = await pages(memory, 1_000);
    expect(expected).toHaveLength(USERS.length * TRICKY.length);
    expect(await pages(engine, 1_000)).toEqual(expected);
    expect(await pages(engine, 7)).toEqual(expected);
  });

  it("pages one user's leases from any key, trailing spaces included", async () => {
    for (const after of [
      { userId: 'b', sessionId: 'a' },
      { userId: 'b', sessionId: 'a ' },
      { userId: 'a', sessionId: 'zzz' },
      { userId: 'b ', sessionId: 'a' },
    ]) {
      for (const userId of ['b', 'b ']) {
        const query = { userId, after, limit: 1_000 };
        const ids = async (target: Engine) => (await target.listLeases(query)).map((lease) => lease.sessionId);
        expect({ query, ids: await ids(engine) }).toEqual({ query, ids: await ids(memory) });
      }
    }
  });

  it('reports held, expiry and token as stored, and filters on held', async () => {
    const userId = randomName('held');
    const held = await engine.acquireLease({ userId, sessionId: 'held' }, { owner: 'o', ttlMs: 60_000 });
    const released = await engine.acquireLease({ userId, sessionId: 'released' }, { owner: 'o', ttlMs: 60_000 });
    if (!held.acquired || !released.acquired) throw new Error('expected both leases to be granted');
    await engine.releaseLease(released.lease);
    expect(await engine.listLeases({ userId })).toEqual([
      { userId, sessionId: 'held', owner: 'o', token: held.lease.token, expiresAt: held.lease.expiresAt, held: true },
      { userId, sessionId: 'released', owner: 'o', token: released.lease.token, expiresAt: null, held: false },
    ]);
    expect((await engine.listLeases({ userId, held: false })).map((lease) => lease.sessionId)).toEqual(['released']);
    expect((await engine.listLeases({ userId, held: true, limit: 1 })).map((lease) => lease.sessionId)).toEqual(['held']);
  });
});
