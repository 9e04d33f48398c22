import { afterAll, beforeAll, describe, it } from 'vitest';
import { LockExpiredError, SessionManager } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { dropSchema, POSTGRES_URL, randomSchema, requirePostgres, testPool } from './support/database.js';

const schema = randomSchema('fencing');
const admin = testPool({ max: 2 });
const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
const holder = new SessionManager({ engine, owner: 'holder' });
const taker = new SessionManager({ engine, owner: 'taker' });

beforeAll(async () => {
  await requirePostgres();
  await engine.setup();
});
afterAll(async () => {
  await engine.close();
  await admin.end();
  await dropSchema(schema);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fencing inside the server', () => {
  it('makes a takeover wait for a fenced write that passed its lease check, so the write lands before the new grant', async ({ expect }) => {
    const key = { userId: 'fence', sessionId: 'in-flight' };
    await holder.create(key);
    const lease = await engine.acquireLease(key, { owner: 'holder', ttlMs: 300 });
    if (!lease.acquired) throw new Error('expected the lease');
    const blocker = await admin.connect();
    const order: string[] = [];
    try {
      // Stall the holder's append after its lease check: another transaction holds the session row.
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM "${schema}"."sessions" WHERE user_id = $1 AND session_id = $2 FOR UPDATE`, [key.userId, key.sessionId]);
      const write = engine
        .appendMessages(
          key,
          [
            {
              ...key,
              id: 'in-flight',
              role: 'user',
              content: 'checked in time',
              name: null,
              toolCalls: null,
              toolCallId: null,
              agentId: null,
              runId: null,
              metadata: {},
              createdAt: new Date(),
            },
          ],
          {
            lease: lease.lease,
          },
        )
        .then((messages) => (order.push('write committed'), messages));
      await sleep(450); // the lease is now past its expiry
      const takeover = taker.acquire(key, { ttlMs: 30_000 }).then((granted) => (order.push('lease granted'), granted));
      await sleep(200);
      expect(order).toEqual([]);
      await blocker.query('COMMIT');
      const [written] = await write;
      const granted = await takeover;
      expect(order).toEqual(['write committed', 'lease granted']);
      expect(granted.token).toBe(lease.lease.token + 1);
      await expect(
        holder.append(key, { role: 'user', content: 'too late' }, { lease: { ...lease.lease, ttlMs: 300, localDeadline: Infinity } }),
      ).rejects.toBeInstanceOf(LockExpiredError);
      const [next] = await taker.append(key, { role: 'assistant', content: 'after the takeover' }, { lease: granted });
      expect([written!.seq, next!.seq]).toEqual([1, 2]);
      await taker.release(granted);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
    }
  });
});
