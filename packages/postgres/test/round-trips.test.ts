import { afterAll, beforeAll, describe, it } from 'vitest';
import { SessionManager } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { countingPool, PG_POOL } from '@sessions/test-support';
import { dropSchema, randomSchema, requirePostgres, testPool } from './support/database.js';

const schema = randomSchema('round_trips');
const inner = testPool();
const pool = countingPool(inner, PG_POOL);
const engine = new PostgresEngine({ pool, schema });
const sessions = new SessionManager({ engine });

beforeAll(async () => {
  await requirePostgres();
  await engine.setup();
});
afterAll(async () => {
  await engine.close();
  await inner.end();
  await dropSchema(schema);
});

describe('statements per operation (each is one round trip)', () => {
  it('appends under a lease in one statement: lease check, seq assignment, insert and counters together', async ({ expect }) => {
    const session = await sessions.create({ userId: 'rt', sessionId: 'append' });
    const lease = await sessions.acquire(session);
    expect(
      await pool.count(() =>
        sessions.append(
          session,
          [
            { role: 'user', content: 'a' },
            { role: 'assistant', content: 'b' },
          ],
          { lease },
        ),
      ),
    ).toBe(1);
    expect(await pool.count(() => sessions.append(session, { role: 'user', content: 'c' }))).toBe(1);
    await sessions.release(lease);
  });

  it('takes, renews and releases a lease in one statement each', async ({ expect }) => {
    const session = await sessions.create({ userId: 'rt', sessionId: 'lease' });
    let lease = await sessions.acquire(session);
    expect(await pool.count(() => sessions.acquire(session).catch(() => undefined))).toBe(1);
    expect(await pool.count(async () => (lease = await sessions.renew(lease)))).toBe(1);
    expect(await pool.count(() => sessions.release(lease))).toBe(1);
    expect(await pool.count(async () => (lease = await sessions.acquire(session)))).toBe(1);
    await sessions.release(lease);
  });

  it('reads a session, the last N messages and a page of sessions in one statement each', async ({ expect }) => {
    const session = await sessions.create({ userId: 'rt', sessionId: 'read', messages: [{ role: 'user', content: 'x' }] });
    expect(await pool.count(() => engine.getSession(session))).toBe(1);
    expect(await pool.count(() => sessions.messages(session, { last: 50 }))).toBe(1);
    expect(await pool.count(() => sessions.list({ userId: 'rt' }))).toBe(1);
  });

  it('checks expiry in the read itself when given liveAt, and leaves the sessions table alone without it', async ({ expect }) => {
    const session = await sessions.create({
      userId: 'rt',
      sessionId: 'read-live',
      ttlMs: 60_000,
      messages: [
        { role: 'user', content: 'x' },
        { role: 'user', content: 'y' },
      ],
    });
    const live = new Date();
    const expired = new Date(live.getTime() + 60_000);
    for (const range of [{}, { last: 1 }, { afterSeq: 1 }, { limit: 1 }]) {
      const before = pool.sent.length;
      expect(await engine.readMessages(session, { ...range, liveAt: live })).not.toEqual([]);
      expect(await engine.readMessages(session, { ...range, liveAt: expired })).toEqual([]);
      expect(await engine.readMessages(session, range)).not.toEqual([]);
      const [checked, checkedExpired, unchecked, ...more] = pool.sent.slice(before);
      expect(more).toEqual([]);
      expect(checked!.text).toContain(engine.tables.sessions);
      expect(checkedExpired!.text).toBe(checked!.text);
      expect(unchecked!.text).not.toContain(engine.tables.sessions);
    }
  });

  it('updates a session with an optimistic version check in one statement', async ({ expect }) => {
    const session = await sessions.create({ userId: 'rt', sessionId: 'update' });
    expect(await pool.count(() => engine.updateSession(session, { title: 't', updatedAt: new Date() }, { expectedVersion: 0 }))).toBe(1);
  });

  it('prepares the fixed statements under stable names and sends compiled filters unnamed', async ({ expect }) => {
    const session = await sessions.create({ userId: 'rt', sessionId: 'names' });
    const before = pool.sent.length;
    await sessions.append(session, { role: 'user', content: 'a' });
    await sessions.append(session, { role: 'user', content: 'b' });
    await sessions.list({ userId: 'rt' });
    const [first, second, list] = pool.sent.slice(before);
    expect(first?.name).toMatch(/^sessions_[0-9a-f]{24}$/);
    expect(second?.name).toBe(first?.name);
    expect(list?.name).toBeUndefined();
  });
});
