import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { LockExpiredError, MessageExistsError, SessionManager, SessionNotFoundError } from '@sessions/core';
import { MysqlEngine } from '../src/index.js';
import { countingPool, MYSQL2_POOL } from '@sessions/test-support';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('routine');

describe('the append routine', () => {
  it('appends up to four messages, under a lease, in one round trip', async () => {
    const inner = mysql.createPool({ uri: database.url, connectionLimit: 2 });
    const pool = countingPool(inner, MYSQL2_POOL);
    await using engine = new MysqlEngine({ pool, tablePrefix: `${randomName('r')}_` });
    await engine.setup();
    expect(engine.appendsInOneRoundTrip).toBe(true);
    const sessions = new SessionManager({ engine });
    const key = { userId: 'u', sessionId: 's' };
    await sessions.create(key);
    const lease = await sessions.acquire(key);
    pool.sent.length = 0;
    const appended = await sessions.append(
      key,
      ['a', 'b', 'c', 'd'].map((content) => ({ role: 'user' as const, content })),
      { lease },
    );
    expect(pool.sent).toHaveLength(1);
    expect(pool.sent[0]).toMatch(/^CALL `r\w+_append_messages_v2`/);
    expect(appended.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(await sessions.messages(key)).toEqual(appended);
    pool.sent.length = 0;
    await sessions.append(
      key,
      ['e', 'f', 'g', 'h', 'i'].map((content) => ({ role: 'user' as const, content })),
      { lease },
    );
    expect(pool.sent).toEqual(['START TRANSACTION', expect.stringMatching(/^UPDATE/), expect.stringMatching(/^INSERT/), 'COMMIT']);
    expect((await sessions.messages(key)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await sessions.release(lease);
    await engine.close();
    await inner.end();
  });

  it('gives the same typed errors as the statement path, writing nothing', async () => {
    await using engine = new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('e')}_` });
    await engine.setup();
    const sessions = new SessionManager({ engine });
    const key = { userId: 'u', sessionId: 's' };
    await expect(sessions.append(key, { role: 'user', content: 'x' })).rejects.toBeInstanceOf(SessionNotFoundError);
    await sessions.create(key);
    await sessions.append(key, { role: 'user', content: 'first', id: 'taken' });
    await expect(
      sessions.append(key, [
        { role: 'user', content: 'ok' },
        { role: 'user', content: 'dup', id: 'taken' },
      ]),
    ).rejects.toMatchObject({ messageId: 'taken' });
    await expect(sessions.append(key, { role: 'user', content: 'dup', id: 'taken' })).rejects.toBeInstanceOf(MessageExistsError);
    const grant = await engine.acquireLease(key, { owner: 'w', ttlMs: 10_000 });
    if (!grant.acquired) throw new Error('expected the lease');
    await expect(
      sessions.append(key, { role: 'user', content: 'forged' }, { lease: { ...grant.lease, token: grant.lease.token + 1, localDeadline: Infinity, ttlMs: 1 } }),
    ).rejects.toBeInstanceOf(LockExpiredError);
    expect((await sessions.messages(key)).map((m) => m.content)).toEqual(['first']);
    expect(await sessions.get(key)).toMatchObject({ messageCount: 1, lastSeq: 1 });
  });

  it('falls back to statements when the routine disappears', async () => {
    await using engine = new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('g')}_` });
    await engine.setup();
    const sessions = new SessionManager({ engine });
    const key = { userId: 'u', sessionId: 's' };
    await sessions.create(key);
    await sessions.append(key, { role: 'user', content: 'via routine' });
    await database.pool.query(`DROP PROCEDURE ${engine.tables.appendRoutine}`);
    await sessions.append(key, { role: 'user', content: 'via statements' });
    expect(engine.appendsInOneRoundTrip).toBe(false);
    expect((await sessions.messages(key)).map((m) => [m.seq, m.content])).toEqual([
      [1, 'via routine'],
      [2, 'via statements'],
    ]);
  });

  describe('for a database user who may not create routines', () => {
    const user = randomName('sessions_app_');
    const password = randomName('pw');
    afterAll(() => database.pool.query(`DROP USER IF EXISTS '${user}'@'%'`));

    it('sets up and appends without the routine', async () => {
      await database.pool.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
      await database.pool.query(`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, REFERENCES ON \`${database.name}\`.* TO '${user}'@'%'`);
      const url = new URL(database.url);
      url.username = user;
      url.password = password;
      await using engine = new MysqlEngine({ uri: url.toString(), tablePrefix: `${randomName('n')}_` });
      await engine.setup();
      expect(engine.appendsInOneRoundTrip).toBe(false);
      const sessions = new SessionManager({ engine });
      const key = { userId: 'u', sessionId: 's' };
      await sessions.create(key);
      expect(
        (
          await sessions.append(key, [
            { role: 'user', content: 'a' },
            { role: 'user', content: 'b' },
          ])
        ).map((m) => m.seq),
      ).toEqual([1, 2]);
    });
  });
});
