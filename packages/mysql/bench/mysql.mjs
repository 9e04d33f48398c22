// Speed of @sessions/mysql against the same SQL sent straight through mysql2, measured in one run.
//   pnpm --filter @sessions/mysql build && pnpm --filter @sessions/mysql bench
// Uses SESSIONS_TEST_MYSQL_URL (default mysql://root@127.0.0.1:3306/test); works in a database of
// its own, dropped at the end. Prints medians of interleaved rounds, so machine noise hits both alike.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { and, desc, eq, gt, isNull, or, SessionManager } from '@sessions/core';
import { countingPool, MYSQL2_POOL } from '@sessions/test-support';
import { MysqlEngine } from '../dist/index.js';

const SERVER_URL = process.env.SESSIONS_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const ROUNDS = 9;

const admin = await mysql.createConnection({ uri: SERVER_URL }).catch((error) => {
  console.error(`cannot reach ${SERVER_URL}: start MariaDB (docker compose up -d --wait) or set SESSIONS_TEST_MYSQL_URL\n${error.message}`);
  process.exit(1);
});
const databaseName = `sessions_bench_${randomBytes(4).toString('hex')}`;
await admin.query(`CREATE DATABASE \`${databaseName}\` CHARACTER SET utf8mb4`);
const url = new URL(SERVER_URL);
url.pathname = `/${databaseName}`;

const pool = mysql.createPool({ uri: url.toString(), connectionLimit: 4, maxPreparedStatements: 256 });
// Logs every statement the engine sends (each is one round trip), with its parameters.
const recorder = countingPool(pool, { ...MYSQL2_POOL, record: (statement, values) => ({ sql: MYSQL2_POOL.record(statement), values }) });
const engine = new MysqlEngine({ pool: recorder, tablePrefix: 'bench_' });

try {
  await engine.setup();
  const server = engine.server;
  const sessions = new SessionManager({ engine, owner: 'bench' });

  // --- fixtures ---------------------------------------------------------------------------
  const shortKey = { userId: 'bench', sessionId: 'history-10' };
  const longKey = { userId: 'bench', sessionId: 'history-10000' };
  const rawShortKey = { userId: 'bench', sessionId: 'raw-history-10' };
  const rawLongKey = { userId: 'bench', sessionId: 'raw-history-10000' };
  for (const [key, length] of [
    [shortKey, 10],
    [longKey, 10_000],
    [rawShortKey, 10],
    [rawLongKey, 10_000],
  ]) {
    await sessions.create(key);
    for (let done = 0; done < length; done += 500) {
      const batch = Math.min(500, length - done);
      await sessions.append(
        key,
        Array.from({ length: batch }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${done + i} ${'lorem ipsum '.repeat(8)}` })),
      );
    }
  }
  const listUser = 'lister';
  const channels = ['web', 'app', 'api', 'sms'];
  const now = Date.now();
  const records = Array.from({ length: 10_000 }, (_, i) => ({
    userId: listUser,
    sessionId: `s${String(i).padStart(5, '0')}`,
    title: `session ${i}`,
    metadata: { channel: channels[i % 4], plan: { tier: i % 10 === 0 ? 'pro' : 'free' } },
    state: {},
    status: 'active',
    createdAt: new Date(now - i * 1000),
    updatedAt: new Date(now - i * 1000),
    expiresAt: null,
    parentSessionId: null,
    parentSeq: null,
    messageCount: 0,
    lastSeq: 0,
    version: 0,
  }));
  // Eight writers at once: each insert commits on its own, and concurrent commits share a log flush.
  await Promise.all(
    Array.from({ length: 8 }, (_, writer) =>
      engine.insert(
        'sessions',
        records.filter((_, i) => i % 8 === writer),
      ),
    ),
  );
  const runKey = { userId: 'bench', sessionId: 'runs' };
  const rawRunKey = { userId: 'bench', sessionId: 'raw-runs' };
  await sessions.create({ ...runKey, messages: [{ role: 'system', content: 'You are terse.' }] });
  await sessions.create({ ...rawRunKey, messages: [{ role: 'system', content: 'You are terse.' }] });

  // --- the engine's SQL, captured so the raw baselines send exactly the same text -------------
  const capture = async (operation) => {
    recorder.sent.length = 0;
    await operation();
    return recorder.sent.map((entry) => entry.sql);
  };
  const appendSql = await capture(() => sessions.append(shortKey, { role: 'user', content: 'capture' }));
  const lastSql = await capture(() => sessions.messages(longKey, { last: 50 }));
  const listFilter = eq('metadata.channel', 'web');
  const listSql = await capture(() => sessions.list({ userId: listUser, where: listFilter, limit: 20 }));
  const listParams = recorder.sent[0].values;
  // What SessionManager.list hands the engine, for the engine-only row of the table.
  const listWhere = () => and(eq('userId', listUser), or(isNull('expiresAt'), gt('expiresAt', new Date())), eq('status', 'active'), listFilter);
  const listOrder = [desc('updatedAt'), desc('sessionId')];
  const runSql = await capture(() =>
    sessions.run(
      runKey,
      ({ append }) =>
        append([
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
        ]),
      { history: { last: 20 } },
    ),
  );
  const [callSql] = appendSql;
  if (!/^CALL /.test(callSql)) throw new Error(`expected the append routine, got ${callSql}`);

  // --- raw mysql2 baselines: the same statements, parameters built by hand --------------------
  const SLOTS = 4;
  const FIELDS_PER_SLOT = 10; // id, role, content, name, tool_calls, tool_call_id, agent_id, run_id, metadata, created_at
  const slot = (content, at) => [`msg_${randomBytes(8).toString('hex')}`, 'user', JSON.stringify(content), null, null, null, null, null, '{}', BigInt(at)];
  const callParams = (key, lease, contents) => {
    const at = Date.now();
    // The last one is liveAt: SessionManager passes its clock so an expired session refuses the append.
    const params = [key.userId, key.sessionId, lease?.owner ?? null, lease ? BigInt(lease.token) : null, BigInt(contents.length), BigInt(at), BigInt(at)];
    for (let i = 0; i < SLOTS; i++) params.push(...(i < contents.length ? slot(contents[i], at) : Array(FIELDS_PER_SLOT).fill(null)));
    return params;
  };
  const rawAppend = (key, content) => pool.execute({ sql: callSql, rowsAsArray: true, namedPlaceholders: false }, callParams(key, null, [content]));
  // The key twice (messages, then the session's expiry check) and liveAt: SessionManager passes its clock so an expired session reads as empty.
  const rawLast = (key) =>
    pool.execute({ sql: lastSql[0], rowsAsArray: true, namedPlaceholders: false }, [
      key.userId,
      key.sessionId,
      key.userId,
      key.sessionId,
      BigInt(Date.now()),
      50n,
    ]);
  const rawList = () => pool.execute({ sql: listSql[0], rowsAsArray: true, namedPlaceholders: false }, listParams);
  const [acquireSql, sessionSql, historySql, runCallSql, releaseSql] = runSql;
  async function rawRun(key) {
    const [[grant]] = await pool.execute({ sql: acquireSql, rowsAsArray: true, namedPlaceholders: false }, [
      key.userId,
      key.sessionId,
      'raw',
      30_000n,
      'raw',
      30_000n,
    ]);
    const lease = { owner: 'raw', token: grant[1] };
    await pool.execute({ sql: sessionSql, rowsAsArray: true, namedPlaceholders: false }, [key.userId, key.sessionId]);
    await pool.execute({ sql: historySql, rowsAsArray: true, namedPlaceholders: false }, [
      key.userId,
      key.sessionId,
      key.userId,
      key.sessionId,
      BigInt(Date.now()),
      20n,
    ]);
    await pool.execute({ sql: runCallSql, rowsAsArray: true, namedPlaceholders: false }, callParams(key, lease, ['q', 'a']));
    await pool.execute({ sql: releaseSql, namedPlaceholders: false }, [key.userId, key.sessionId, 'raw', BigInt(lease.token)]);
  }

  const lease = await sessions.acquire(longKey, { ttlMs: 3_600_000 });
  const rawLeaseGrant = await engine.acquireLease(rawLongKey, { owner: 'raw', ttlMs: 3_600_000 });
  const rawAppendUnderLease = (key, content) =>
    pool.execute({ sql: callSql, rowsAsArray: true, namedPlaceholders: false }, callParams(key, rawLeaseGrant.lease, [content]));

  // --- measurements -------------------------------------------------------------------------
  const engineRuns = new Map();
  const rawRuns = new Map();
  const cases = [
    ['append 1 message, history 10', () => sessions.append(shortKey, { role: 'user', content: 'hello' }), () => rawAppend(rawShortKey, 'hello'), 200],
    ['append 1 message, history 10,000', () => sessions.append(longKey, { role: 'user', content: 'hello' }), () => rawAppend(rawLongKey, 'hello'), 200],
    [
      'append 1 message under a lease, history 10,000',
      () => sessions.append(longKey, { role: 'user', content: 'hello' }, { lease }),
      () => rawAppendUnderLease(rawLongKey, 'hello'),
      200,
    ],
    ['load last 50 of 10,000', () => sessions.messages(longKey, { last: 50 }), () => rawLast(rawLongKey), 200],
    ['list 20 of 10,000 by metadata.channel', () => sessions.list({ userId: listUser, where: listFilter, limit: 20 }), () => rawList(), 200],
    ['  the same through engine.findMany', () => engine.findMany('sessions', { where: listWhere(), orderBy: listOrder, limit: 21 }), () => rawList(), 200],
    [
      'run() turn: lease, history 20, append 2, release',
      () =>
        sessions.run(
          runKey,
          ({ append }) =>
            append([
              { role: 'user', content: 'q' },
              { role: 'assistant', content: 'a' },
            ]),
          { history: { last: 20 } },
        ),
      () => rawRun(rawRunKey),
      100,
    ],
  ];
  // Engine and raw calls alternate one by one, so a slow moment of the machine hits both alike.
  const timePair = async (engineOperation, rawOperation, count) => {
    let engineNanos = 0n;
    let rawNanos = 0n;
    for (let i = 0; i < count; i++) {
      let started = process.hrtime.bigint();
      await engineOperation();
      engineNanos += process.hrtime.bigint() - started;
      started = process.hrtime.bigint();
      await rawOperation();
      rawNanos += process.hrtime.bigint() - started;
    }
    return [Number(engineNanos) / 1000 / count, Number(rawNanos) / 1000 / count];
  };
  for (const [, engineOperation, rawOperation] of cases) {
    for (let i = 0; i < 20; i++) {
      await engineOperation();
      await rawOperation();
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, engineOperation, rawOperation, count] of cases) {
      const [engineMicros, rawMicros] = await timePair(engineOperation, rawOperation, count);
      engineRuns.set(name, [...(engineRuns.get(name) ?? []), engineMicros]);
      rawRuns.set(name, [...(rawRuns.get(name) ?? []), rawMicros]);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

  const roundTrips = new Map();
  for (const [name, engineOperation] of cases) roundTrips.set(name, (await capture(engineOperation)).length);

  // --- report -------------------------------------------------------------------------------
  console.log(`@sessions/mysql on ${server.flavour} ${server.version}: median of ${ROUNDS} interleaved rounds`);
  console.log('');
  const header = ['operation', 'engine µs', 'raw mysql2 µs', 'engine / raw', 'round trips'];
  const rows = cases.map(([name]) => {
    const engineMicros = median(engineRuns.get(name));
    const rawMicros = median(rawRuns.get(name));
    return [name, engineMicros.toFixed(0), rawMicros.toFixed(0), (engineMicros / rawMicros).toFixed(2), String(roundTrips.get(name))];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const appendShort = median(engineRuns.get(cases[0][0]));
  const appendLong = median(engineRuns.get(cases[1][0]));
  console.log('');
  const rawRatio = median(rawRuns.get(cases[1][0])) / median(rawRuns.get(cases[0][0]));
  console.log(
    `append at history 10,000 / history 10 (target: near 1): ${(appendLong / appendShort).toFixed(2)} (raw mysql2, same SQL: ${rawRatio.toFixed(2)})`,
  );
  console.log('');
  console.log('EXPLAIN of the list query:');
  const [plan] = await pool.execute({ sql: `EXPLAIN ${listSql[0]}`, namedPlaceholders: false }, listParams);
  for (const step of plan) console.log(`  table=${step.table} type=${step.type} key=${step.key} rows=${step.rows} extra=${step.Extra}`);
  console.log('');
  console.log('statements of one run() turn:');
  for (const sql of runSql) console.log(`  ${sql.replace(/\s+/g, ' ').slice(0, 110)}${sql.length > 110 ? ' …' : ''}`);
  await sessions.release(lease);
  const check = await sessions.messages(rawRunKey, { last: 2 });
  if (check.map((m) => m.content).join() !== 'q,a') throw new Error('raw baseline wrote something unexpected');
} finally {
  await engine.close();
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS \`${databaseName}\``);
  await admin.end();
}
