import { describe, expect, it } from 'vitest';
import { MysqlEngine } from '../src/index.js';
import { fenceParams, fenceSql } from '../src/leases.js';
import { retryConflicts } from '../src/transaction.js';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('fencing');
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fencing', () => {
  it('holds off a takeover until a write that passed its lease check has committed', async () => {
    await using engine = new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('f')}_` });
    await engine.setup();
    const key = { userId: 'u', sessionId: 's' };
    const grant = await engine.acquireLease(key, { owner: 'writer', ttlMs: 300 });
    if (!grant.acquired) throw new Error('expected the lease');
    // A writer checks its lease inside a transaction, exactly as the engine's fenced writes do ...
    const writer = await database.pool.getConnection();
    try {
      await writer.query('START TRANSACTION');
      const [rows] = await writer.execute(`SELECT ${fenceSql(engine.tables)} AS held`, fenceParams(key, grant.lease));
      expect(rows).toEqual([{ held: 1 }]);
      // ... then stalls past its TTL before committing. The next owner's acquire must wait.
      await delay(500);
      let settled = false;
      const takeover = engine.acquireLease(key, { owner: 'next', ttlMs: 10_000 }).finally(() => (settled = true));
      await delay(300);
      expect(settled).toBe(false);
      await writer.query('COMMIT');
      const next = await takeover;
      expect(next).toMatchObject({ acquired: true, lease: { owner: 'next', token: grant.lease.token + 1 } });
    } finally {
      writer.release();
    }
  });
});

describe('deadlocks', () => {
  it('runs a statement or transaction the server rolled back for a deadlock again, and gives up after a few tries', async () => {
    let calls = 0;
    const deadlock = Object.assign(new Error('Deadlock found when trying to get lock'), { errno: 1213 });
    expect(await retryConflicts(async () => (++calls < 3 ? Promise.reject(deadlock) : 'done'))).toBe('done');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryConflicts(async () => (++calls, Promise.reject(deadlock)))).rejects.toBe(deadlock);
    expect(calls).toBe(5);
    const other = Object.assign(new Error('Duplicate entry'), { errno: 1062 });
    calls = 0;
    await expect(retryConflicts(async () => (++calls, Promise.reject(other)))).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});
