// Speed and round trips of @sessions/postgres against the same SQL sent directly through pg.
// Run with `pnpm --filter @sessions/postgres bench` (builds first). Every number is measured
// in this run; ratios are engine / raw pg, so 1.00 means no overhead.
import { performance } from 'node:perf_hooks';
import { eq, SessionManager } from '@sessions/core';
import { countingPool, PG_POOL } from '@sessions/test-support';
import pg from 'pg';
import { PostgresEngine } from '../dist/index.js';
import { Statements } from '../dist/statements/index.js';
import { bind } from '../dist/statements/placeholders.js';

const URL_ = process.env.SESSIONS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1000);
const schema = `sessions_bench_${Date.now().toString(36)}`;

const enginePool = new pg.Pool({ connectionString: URL_, max: 4 });
const rawPool = new pg.Pool({ connectionString: URL_, max: 4 });
// Records every statement the engine sends, to count round trips and replay the same SQL raw.
const recording = countingPool(enginePool, PG_POOL);
/** The statements `body` sent. */
const record = async (body) => {
  const start = recording.sent.length;
  await body();
  return recording.sent.slice(start);
};
const engine = new PostgresEngine({ pool: recording, schema });
const sessions = new SessionManager({ engine, owner: 'bench' });
const statements = new Statements(engine.tables);
const raw = (statement, values) => rawPool.query({ text: statement.statement.text, name: statement.statement.name, values: bind(statement, values) });
const iso = (date) => date.toISOString();

/**
 * Median milliseconds per call of each contender. Calls alternate between the contenders one
 * by one, so a burst from another tenant of this shared machine hits them alike, and the
 * median ignores the bursts.
 */
async function compare(contenders, iterations = ITERATIONS) {
  const entries = Object.entries(contenders);
  const times = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let i = 0; i < 30; i++) for (const [, body] of entries) await body(i);
  for (let i = 0; i < iterations; i++) {
    for (const [name, body] of entries) {
      const start = performance.now();
      await body(i);
      times[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, values.sort((a, b) => a - b)[values.length >> 1]]));
}

let nextId = 0;
const message = (content) => ({ role: 'user', content, metadata: { bench: true } });
const newRows = (key, count) =>
  Array.from({ length: count }, () => ({
    id: `raw_${++nextId}`,
    role: 'user',
    content: JSON.stringify('raw message'),
    name: null,
    toolCalls: null,
    toolCallId: null,
    agentId: null,
    runId: null,
    metadata: '{"bench":true}',
    createdAt: iso(new Date()),
  }));
function appendValues(key, rows, lease) {
  // liveAt as SessionManager passes it: the session must not have expired by now.
  const values = {
    ...key,
    count: rows.length,
    updatedAt: rows.at(-1).createdAt,
    liveAt: iso(new Date()),
    ...(lease ? { owner: lease.owner, token: lease.token } : {}),
  };
  for (const field of ['id', 'role', 'content', 'name', 'toolCalls', 'toolCallId', 'agentId', 'runId', 'metadata', 'createdAt'])
    values[`m_${field}`] = rows.map((row) => row[field]);
  return values;
}

const results = [];
const roundTrips = [];
const fmt = (ms) => `${(ms * 1000).toFixed(0)} µs`;

try {
  await engine.setup();
  const short = { userId: 'bench', sessionId: 'history-10' };
  const long = { userId: 'bench', sessionId: 'history-10000' };
  await sessions.create({ ...short, messages: Array.from({ length: 10 }, (_, i) => message(`m${i}`)) });
  await sessions.create(long);
  for (let i = 0; i < 20; i++)
    await sessions.append(
      long,
      Array.from({ length: 500 }, (_, j) => message(`m${i * 500 + j}`)),
      {},
    );
  await rawPool.query(`ANALYZE ${engine.tables.messages}`);

  // 1. Append one message at history 10 vs 10,000 (engine), and the engine against raw pg.
  const historyLengths = await compare({
    'append at history 10': () => sessions.append(short, message('x')),
    'append at history 10,000': () => sessions.append(long, message('x')),
  });
  results.push(['append 1 message: history 10,000 vs 10', historyLengths['append at history 10,000'], historyLengths['append at history 10'], 'target ≈ 1']);
  const appendCmp = await compare({
    engine: () => sessions.append(long, message('x')),
    raw: () => raw(statements.append.unfenced, appendValues(long, newRows(long, 1))),
  });
  results.push(['append 1 message (history 10,000)', appendCmp.engine, appendCmp.raw, 'target ≤ 1.3']);

  // 2. Append under a lease (fenced).
  const lease = await sessions.acquire(long, { ttlMs: 600_000 });
  const fencedCmp = await compare({
    engine: () => sessions.append(long, message('x'), { lease }),
    raw: () => raw(statements.append.fenced, appendValues(long, newRows(long, 1), lease)),
  });
  results.push(['append 1 message under a lease', fencedCmp.engine, fencedCmp.raw, 'target ≤ 1.3']);
  await sessions.release(lease);

  // 3. Load the last 50 of 10,000+ messages.
  const [readConfig] = await record(() => sessions.messages(long, { last: 50 }));
  const readCmp = await compare({
    engine: () => sessions.messages(long, { last: 50 }),
    raw: () => rawPool.query({ text: readConfig.text, name: readConfig.name, values: readConfig.values }),
  });
  results.push(['load last 50 of 10,000 messages', readCmp.engine, readCmp.raw, 'target ≤ 1.3']);
  // Without liveAt (tools that read expired sessions too) the read sends a statement that does not touch the sessions table.
  const [uncheckedConfig] = await record(() => engine.readMessages(long, { last: 50 }));
  const rawUnchecked = () => rawPool.query({ text: uncheckedConfig.text, name: uncheckedConfig.name, values: uncheckedConfig.values });
  const uncheckedCmp = await compare({ engine: () => engine.readMessages(long, { last: 50 }), raw: rawUnchecked });
  results.push(['load last 50 of 10,000 messages, no liveAt', uncheckedCmp.engine, uncheckedCmp.raw, 'target ≤ 1.3']);
  const checkCmp = await compare({
    checked: () => rawPool.query({ text: readConfig.text, name: readConfig.name, values: readConfig.values }),
    unchecked: rawUnchecked,
  });
  results.push(['load last 50: with the expiry check vs without (raw pg both)', checkCmp.checked, checkCmp.unchecked, 'target ≈ 1']);

  // 4. List 20 of 10,000 sessions of one user with a metadata filter.
  await rawPool.query(
    `INSERT INTO ${engine.tables.sessions} (user_id, session_id, title, metadata, state, status, created_at, updated_at, expires_at, parent_session_id, parent_seq, message_count, last_seq, version)
     SELECT 'lister', 'sess_' || lpad(i::text, 5, '0'), 'title ' || i,
            jsonb_build_object('channel', (ARRAY['web', 'email', 'sms', 'api'])[1 + i % 4] || CASE WHEN i % 200 = 0 THEN '-rare' ELSE '' END, 'plan', jsonb_build_object('tier', (ARRAY['free', 'pro'])[1 + i % 2]), 'n', i),
            '{}', 'active', now() - i * interval '1 minute', now() - i * interval '1 minute', NULL, NULL, NULL, 0, 0, 0
     FROM generate_series(1, 10000) AS i`,
  );
  await rawPool.query(`ANALYZE ${engine.tables.sessions}`);
  const plans = [];
  for (const [label, where] of [
    ['common value (25%)', eq('metadata.channel', 'web')],
    ['rare value (0.5%)', eq('metadata.channel', 'web-rare')],
  ]) {
    const [listConfig] = await record(() => sessions.list({ userId: 'lister', where, limit: 20 }));
    const listCmp = await compare({
      engine: () => sessions.list({ userId: 'lister', where, limit: 20 }),
      raw: () => rawPool.query({ text: listConfig.text, values: listConfig.values }),
    });
    results.push([`list 20 of 10,000 sessions, metadata.channel ${label}`, listCmp.engine, listCmp.raw, 'target ≤ 1.3']);
    const { rows } = await rawPool.query({ text: `EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF) ${listConfig.text}`, values: listConfig.values });
    plans.push([`list with metadata.channel ${label}`, listConfig.text, rows.map((row) => row['QUERY PLAN']).join('\n')]);
  }
  // A lookup by a unique metadata value across all users (say, an external thread id): the GIN
  // index is a candidate; on 10,000 rows the planner weighs it against a sequential scan.
  const [acrossConfig] = await record(() => engine.findMany('sessions', { where: eq('metadata.n', 1234) }));
  const across = await rawPool.query({ text: `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${acrossConfig.text}`, values: acrossConfig.values });
  plans.push(['findMany across users by a unique metadata.n', acrossConfig.text, across.rows.map((row) => row['QUERY PLAN']).join('\n')]);

  // 5. A full run() turn: acquire, load session and last 20 messages, append 2, release.
  const turnKey = { userId: 'bench', sessionId: 'turns' };
  await sessions.create({ ...turnKey, messages: Array.from({ length: 100 }, (_, i) => message(`m${i}`)) });
  const turn = () =>
    sessions.run(
      turnKey,
      async ({ append }) => {
        await append([message('question'), { role: 'assistant', content: 'answer' }]);
      },
      { history: { last: 20 } },
    );
  const rawTurn = async () => {
    const { rows } = await raw(statements.acquireLease, { ...turnKey, owner: 'raw', ttlMs: 30_000 });
    const token = rows[0].token;
    await raw(statements.getSession, turnKey);
    await raw(statements.readDescending.live, { ...turnKey, liveAt: iso(new Date()), afterSeq: 0, beforeSeq: '9223372036854775807', limit: 20 });
    await raw(statements.append.fenced, appendValues(turnKey, newRows(turnKey, 2), { owner: 'raw', token }));
    await raw(statements.releaseLease, { ...turnKey, owner: 'raw', token });
  };
  const turnCmp = await compare({ engine: turn, raw: rawTurn }, Math.max(50, ITERATIONS / 4));
  results.push(['full run() turn', turnCmp.engine, turnCmp.raw, 'target ≤ 1.3']);

  // 6. Statements sent per operation (each statement is one round trip).
  const held = await sessions.acquire(short);
  const count = async (label, body, target) => roundTrips.push([label, (await record(body)).length, target]);
  await count('append under a lease', () => sessions.append(short, message('x'), { lease: held }), 1);
  await count('append without a lease', () => sessions.append(short, message('x')), 1);
  await count('renew', async () => sessions.renew(held), 1);
  await count('release', () => sessions.release(held), 1);
  await count('acquire, then release', async () => sessions.release(await sessions.acquire(short)), 2);
  await count('get session', () => sessions.get(short), 1);
  await count('load last 50 messages', () => sessions.messages(long, { last: 50 }), 1);
  await count('load last 50 messages without liveAt', () => engine.readMessages(long, { last: 50 }), 1);
  await count('list a page of sessions', () => sessions.list({ userId: 'lister', where: eq('metadata.channel', 'web') }), 1);
  await count('setState (optimistic)', () => sessions.setState(short, { step: 1 }), 2);
  await count('create with 10 messages', () => sessions.create({ userId: 'bench', messages: Array.from({ length: 10 }, (_, i) => message(`c${i}`)) }), 1);
  await count('clear messages (transaction)', () => sessions.clear(short), 4);
  await count('full run() turn', turn, 5);
  await count('setup() on a current schema', () => new PostgresEngine({ pool: recording, schema }).setup(), 2);

  console.log(
    `\n@sessions/postgres benchmark (median of ${ITERATIONS} alternating calls each; PostgreSQL at ${URL_.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@')})\n`,
  );
  console.table(results.map(([operation, a, b, target]) => ({ operation, engine: fmt(a), 'raw pg (or baseline)': fmt(b), ratio: (a / b).toFixed(2), target })));
  console.log('\nRound trips (statements sent) per operation:');
  console.table(roundTrips.map(([operation, statementsSent, expected]) => ({ operation, statements: statementsSent, expected })));
  for (const [label, text, plan] of plans) console.log(`\nEXPLAIN ANALYZE, ${label}:\n${text}\n${plan}`);
} finally {
  await engine.close();
  await rawPool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await rawPool.end();
  await enginePool.end();
}
