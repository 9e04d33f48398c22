import { afterAll, beforeAll, describe, it } from 'vitest';
import { SessionManager } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { dropSchema, POSTGRES_URL, randomSchema, requirePostgres, testPool } from './support/database.js';

const SERVERS = 8;
const TURNS_PER_SERVER = 100;
const schema = randomSchema('contention');
const admin = testPool({ max: 1 });

beforeAll(requirePostgres);
afterAll(async () => {
  await admin.end();
  await dropSchema(schema);
});

interface Turn {
  server: number;
  turn: number;
  token: number;
  seqs: number[];
}

describe('contention across app servers', () => {
  it(`serialises ${SERVERS} pools x ${TURNS_PER_SERVER} run() turns on one session: one holder at a time, nothing lost or duplicated, seq gap-free`, async ({
    expect,
  }) => {
    // Each engine has its own pool, as separate app servers would.
    const engines = Array.from({ length: SERVERS }, () => new PostgresEngine({ connectionString: POSTGRES_URL, schema, poolSize: 2 }));
    await Promise.all(engines.map((engine) => engine.setup()));
    const key = { userId: 'contended', sessionId: 'one-session' };
    await new SessionManager({ engine: engines[0]! }).create(key);

    const turns: Turn[] = [];
    let holders = 0;
    let mostHolders = 0;
    try {
      await Promise.all(
        engines.map(async (engine, server) => {
          const sessions = new SessionManager({ engine, owner: `server-${server}`, lockTtlMs: 15_000, heartbeatMs: 5_000 });
          for (let turn = 0; turn < TURNS_PER_SERVER; turn++) {
            await sessions.run(
              key,
              async ({ lease, append }) => {
                holders++;
                mostHolders = Math.max(mostHolders, holders);
                try {
                  const token = lease.token;
                  const written = await append([
                    { role: 'user', content: `server ${server} turn ${turn}`, metadata: { token, server, turn } },
                    { role: 'assistant', content: `reply ${server}/${turn}`, metadata: { token, server, turn } },
                  ]);
                  turns.push({ server, turn, token, seqs: written.map((message) => message.seq) });
                } finally {
                  holders--;
                }
              },
              { waitMs: 120_000, history: { last: 2 } },
            );
          }
        }),
      );
    } finally {
      await Promise.all(engines.map((engine) => engine.close()));
    }

    const total = SERVERS * TURNS_PER_SERVER;
    expect(mostHolders).toBe(1);
    expect(turns).toHaveLength(total);
    // Ordered by fencing token, every turn's writes come right after the previous turn's: the
    // grants were strictly ordered and no holder wrote while another held the lease.
    const byToken = [...turns].sort((a, b) => a.token - b.token);
    expect(new Set(turns.map((turn) => turn.token)).size).toBe(total);
    byToken.forEach((turn, i) => expect(turn.seqs).toEqual([2 * i + 1, 2 * i + 2]));

    const { rows } = await admin.query(`SELECT seq, id, metadata FROM "${schema}"."messages" WHERE user_id = $1 AND session_id = $2 ORDER BY seq`, [
      key.userId,
      key.sessionId,
    ]);
    expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: 2 * total }, (_, i) => i + 1));
    expect(new Set(rows.map((row) => row.id)).size).toBe(2 * total);
    const tokenOfSeq = new Map(turns.flatMap((turn) => turn.seqs.map((seq) => [seq, turn.token] as const)));
    expect(rows.filter((row) => row.metadata.token !== tokenOfSeq.get(Number(row.seq)))).toEqual([]);
    const written = new Set(rows.map((row) => `${row.metadata.server}/${row.metadata.turn}`));
    expect(written.size).toBe(total);

    const session = await admin.query(`SELECT message_count, last_seq FROM "${schema}"."sessions" WHERE user_id = $1 AND session_id = $2`, [
      key.userId,
      key.sessionId,
    ]);
    expect(session.rows[0]).toEqual({ message_count: String(2 * total), last_seq: String(2 * total) });
  });

  it.for(['repeatable read', 'serializable'])(
    'keeps seq gap-free under 16 concurrent appenders when the database defaults to %s',
    async (isolation, { expect }) => {
      const pool = testPool({ max: 16, options: `-c default_transaction_isolation=${isolation.replace(' ', '\\ ')}` });
      const engine = new PostgresEngine({ pool, schema });
      try {
        await engine.setup();
        const { rows } = await pool.query('SHOW default_transaction_isolation');
        expect(rows[0].default_transaction_isolation).toBe(isolation);
        const sessions = new SessionManager({ engine });
        const key = { userId: 'isolation', sessionId: isolation.replace(' ', '-') };
        await sessions.create(key);
        const lease = await sessions.acquire(key, { ttlMs: 60_000 });
        await Promise.all(
          Array.from({ length: 16 }, (_, writer) =>
            (async () => {
              for (let i = 0; i < 5; i++)
                await sessions.append(
                  key,
                  [
                    { role: 'user', content: `${writer}/${i}` },
                    { role: 'assistant', content: `${writer}/${i}` },
                  ],
                  { lease },
                );
            })(),
          ),
        );
        const messages = await sessions.messages(key);
        expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: 160 }, (_, i) => i + 1));
        expect(await sessions.get(key)).toMatchObject({ messageCount: 160, lastSeq: 160 });
        await sessions.release(lease);
      } finally {
        await engine.close();
        await pool.end();
      }
    },
  );

  it('keeps seq, messageCount and the rows consistent when truncates race appends from other app servers', async ({ expect }) => {
    const engines = Array.from({ length: 5 }, () => new PostgresEngine({ connectionString: POSTGRES_URL, schema, poolSize: 2 }));
    await Promise.all(engines.map((engine) => engine.setup()));
    const key = { userId: 'contended', sessionId: 'truncated-while-appending' };
    const [truncator, ...appenders] = engines.map((engine) => new SessionManager({ engine }));
    await truncator!.create(key);
    const appendedSeqs: number[] = [];
    let removed = 0;
    let appending = appenders.length;
    try {
      await Promise.all([
        ...appenders.map(async (sessions, writer) => {
          for (let i = 0; i < 40; i++) {
            const written = await sessions.append(key, [
              { role: 'user', content: `${writer}/${i}` },
              { role: 'assistant', content: `${writer}/${i}` },
            ]);
            appendedSeqs.push(...written.map((message) => message.seq));
          }
          appending--;
        }),
        (async () => {
          while (appending > 0) {
            const { lastSeq } = (await truncator!.get(key))!;
            removed += await truncator!.truncate(key, { afterSeq: Math.max(0, lastSeq - 3) });
          }
        })(),
      ]);
    } finally {
      await Promise.all(engines.map((engine) => engine.close()));
    }

    const total = appenders.length * 40 * 2;
    // Seq values are never handed out twice, even after a truncate freed the highest ones.
    expect(new Set(appendedSeqs).size).toBe(total);
    expect(Math.max(...appendedSeqs)).toBe(total);
    expect(removed).toBeGreaterThan(0);
    const { rows } = await admin.query(`SELECT seq FROM "${schema}"."messages" WHERE user_id = $1 AND session_id = $2 ORDER BY seq`, [
      key.userId,
      key.sessionId,
    ]);
    const session = await admin.query(`SELECT message_count, last_seq FROM "${schema}"."sessions" WHERE user_id = $1 AND session_id = $2`, [
      key.userId,
      key.sessionId,
    ]);
    // Each truncate counted exactly the rows it deleted, appends that committed just before it included.
    expect(rows).toHaveLength(total - removed);
    expect(session.rows[0]).toEqual({ message_count: String(total - removed), last_seq: String(total) });
  });
});
