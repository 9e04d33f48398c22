import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { LockExpiredError, LockHeldError, SessionManager, StorageError, type HeldLease, type SessionKey } from '@sessions/core';
import { type NewMessage } from '@sessions/core/engine';
import { MysqlEngine } from '../src/index.js';
import { randomName, useTestDatabase } from './support/database.js';
import { PartitionablePool } from './support/partitionable-pool.js';

const database = await useTestDatabase('failures');

function message(key: SessionKey, content: string): NewMessage {
  return {
    ...key,
    id: randomName('m'),
    role: 'user',
    content,
    name: null,
    toolCalls: null,
    toolCallId: null,
    agentId: null,
    runId: null,
    metadata: {},
    createdAt: new Date(),
  };
}

/** Server thread ids of every connection of `pool` (it opens them all to answer). */
async function threadsOf(pool: mysql.Pool, size: number): Promise<number[]> {
  const connections = await Promise.all(Array.from({ length: size }, () => pool.getConnection()));
  for (const connection of connections) connection.release();
  return connections.map((connection) => connection.threadId);
}

async function kill(threadId: number): Promise<void> {
  await database.pool.query('KILL ?', [threadId]).catch(() => undefined);
}

describe('dropped connections', () => {
  for (const appendRoutine of [true, false]) {
    it(`an append whose connection is killed fails with StorageError carrying the driver error, writes nothing, and the next call works (${appendRoutine ? 'routine' : 'statements'})`, async () => {
      const tablePrefix = `${randomName('d')}_`;
      await using engine = new MysqlEngine({ uri: database.url, tablePrefix, connectionLimit: 1, appendRoutine });
      await engine.setup();
      const sessions = new SessionManager({ engine });
      const key = { userId: 'u', sessionId: 'killed-mid-append' };
      await sessions.create(key);
      // Hold the session row so the engine's append waits inside its transaction, then kill it there.
      const blocker = await database.pool.getConnection();
      await blocker.query('START TRANSACTION');
      await blocker.query(`SELECT * FROM ${engine.tables.sessions} WHERE user_id = ? AND session_id = ? FOR UPDATE`, [key.userId, key.sessionId]);
      const append = sessions.append(key, { role: 'user', content: 'lost with its connection' }).catch((e: unknown) => e);
      let waiting: number | undefined;
      await expect
        .poll(async () => {
          const [rows] = await database.pool.query<mysql.RowDataPacket[]>(
            `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> ? AND INFO IS NOT NULL AND INFO NOT LIKE '%PROCESSLIST%'`,
            [database.name, blocker.threadId],
          );
          waiting = rows[0]?.['ID'];
          return waiting;
        })
        .toBeDefined();
      await kill(Number(waiting));
      const error = await append;
      await blocker.query('ROLLBACK');
      blocker.release();
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).message).toMatch(/\[mysql\] appendMessages failed/);
      expect((error as StorageError).cause).toBeInstanceOf(Error);
      expect(await sessions.messages(key)).toEqual([]);
      expect(await sessions.get(key)).toMatchObject({ messageCount: 0, lastSeq: 0 });
      const [first] = await sessions.append(key, { role: 'user', content: 'after recovery' });
      expect(first!.seq).toBe(1);
    });
  }

  it('recovers after every pooled connection is killed', async () => {
    const pool = mysql.createPool({ uri: database.url, connectionLimit: 3 });
    await using engine = new MysqlEngine({ pool, tablePrefix: `${randomName('k')}_` });
    await engine.setup();
    const sessions = new SessionManager({ engine });
    const key = { userId: 'u', sessionId: 'survivor' };
    await sessions.create({ ...key, messages: [{ role: 'user', content: 'kept' }] });
    for (const thread of await threadsOf(pool, 3)) await kill(thread);
    // The first call may meet a connection the pool has not noticed is dead yet; it must fail
    // cleanly if it does, and the calls after it must work.
    const first = await sessions.messages(key).catch((e: unknown) => e);
    if (first instanceof Error) expect(first).toBeInstanceOf(StorageError);
    expect((await sessions.messages(key)).map((m) => m.content)).toEqual(['kept']);
    await sessions.append(key, { role: 'assistant', content: 'still here' });
    expect((await sessions.get(key))!.lastSeq).toBe(2);
    await engine.close();
    await pool.end();
  });
});

describe('a lease holder cut off from the database', () => {
  it('keeps its lease until the TTL (a killed connection does not release it), then the next holder proceeds and the late write is rejected', async () => {
    const tablePrefix = `${randomName('h')}_`;
    const rawHolderPool = mysql.createPool({ uri: database.url, connectionLimit: 2 });
    const holderPool = new PartitionablePool(rawHolderPool);
    await using holderEngine = new MysqlEngine({ pool: holderPool, tablePrefix });
    await using nextEngine = new MysqlEngine({ uri: database.url, tablePrefix });
    await holderEngine.setup();
    await nextEngine.setup();
    const holder = new SessionManager({ engine: holderEngine, owner: 'holder', lockTtlMs: 1_500, heartbeatMs: 300 });
    const next = new SessionManager({ engine: nextEngine, owner: 'next' });
    const key = { userId: 'u', sessionId: 'contested' };
    await holder.create(key);

    let staleLease: HeldLease | undefined;
    let cutAt = 0;
    const run = holder
      .run(key, async ({ append, lease, signal }) => {
        await append({ role: 'assistant', content: 'holder, before the cut' });
        staleLease = lease;
        // The holder's connections die and it cannot reconnect: it can neither renew nor release.
        for (const thread of await threadsOf(rawHolderPool, 2)) await kill(thread);
        holderPool.partitioned = true;
        cutAt = performance.now();
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        await append({ role: 'assistant', content: 'holder, after losing the lease' });
      })
      .catch((e: unknown) => e);

    await expect.poll(() => holderPool.partitioned).toBe(true);
    // Unlike a connection-bound lock (GET_LOCK), the lease outlives the killed connection ...
    await expect(next.acquire(key)).rejects.toBeInstanceOf(LockHeldError);
    // ... and ends at its TTL on the server's clock, when the next holder gets it.
    const appended = await next.run(key, ({ append }) => append({ role: 'assistant', content: 'next holder' }), { waitMs: 10_000 });
    expect(performance.now() - cutAt).toBeGreaterThan(500);
    expect(appended[0]!.seq).toBe(2);

    expect(await run).toBeInstanceOf(LockExpiredError);
    holderPool.partitioned = false;
    // Back online, the old holder's late writes under its lost lease are refused by the server.
    await expect(holderEngine.appendMessages(key, [message(key, 'late')], { lease: staleLease! })).rejects.toBeInstanceOf(LockExpiredError);
    await expect(holderEngine.updateSession(key, { title: 'late', updatedAt: new Date() }, { lease: staleLease! })).rejects.toBeInstanceOf(LockExpiredError);
    await expect(holderEngine.clearMessages(key, { lease: staleLease!, updatedAt: new Date() })).rejects.toBeInstanceOf(LockExpiredError);
    await expect(holderEngine.deleteSession(key, { lease: staleLease! })).rejects.toBeInstanceOf(LockExpiredError);
    expect((await next.messages(key)).map((m) => m.content)).toEqual(['holder, before the cut', 'next holder']);
    expect(await next.get(key)).toMatchObject({ title: null, messageCount: 2, lastSeq: 2 });
    await holderEngine.close();
    await rawHolderPool.end();
  }, 30_000);
});
