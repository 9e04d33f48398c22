// Speed and round trips of @sessions/redis against the same Redis commands sent directly
// through ioredis, measured in one run so the ratios compare like with like.
// Run: pnpm --filter @sessions/redis build && pnpm --filter @sessions/redis bench
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { SessionManager } from '@sessions/core';
import { KeySpace, RedisEngine } from '../dist/index.js';
import { startCounter } from './round-trip-counter.mjs';

const REDIS_URL = process.env.SESSIONS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `bench:${process.pid}:${Date.now().toString(36)}:`;
const OPS = Number(process.env.BENCH_OPS ?? 2000);
const LONG = 10_000;

const engine = new RedisEngine({ url: REDIS_URL, prefix: PREFIX });
await engine.setup();
const direct = new Redis(REDIS_URL);
const keys = new KeySpace(PREFIX);
const sessions = new SessionManager({ engine, lockTtlMs: 60_000, heartbeatMs: 10_000 });

const message = (i) => ({ role: 'user', content: `message ${i}: ${'lorem ipsum '.repeat(8)}`, metadata: { i } });

const ROUNDS = 20;

/**
 * Mean microseconds per call of each case. The cases run interleaved, in ROUNDS rounds of
 * ops/ROUNDS calls each, and each case reports its median round, so load on a shared
 * machine and JIT warm-up hit every case alike instead of whichever ran first. Only the
 * calls themselves are timed, not a case's untimed `prepare` step.
 */
async function timeAll(ops, cases) {
  const perRound = Math.max(1, Math.ceil(ops / ROUNDS));
  const samples = cases.map(() => []);
  const counters = cases.map(() => 0);
  const run = async (index, i) => {
    const { prepare, body } = cases[index];
    if (prepare) await prepare(i);
    const start = performance.now();
    await body(i);
    return performance.now() - start;
  };
  for (const index of cases.keys()) for (let i = 0; i < 20; i++) await run(index, counters[index]++);
  for (let round = 0; round < ROUNDS; round++) {
    for (const index of cases.keys()) {
      let spent = 0;
      for (let i = 0; i < perRound; i++) spent += await run(index, counters[index]++);
      samples[index].push((spent * 1000) / perRound);
    }
  }
  return samples.map((values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]);
}

async function prefilled(sessionId, count) {
  const key = { userId: 'bench-user', sessionId };
  await sessions.create(key);
  for (let done = 0; done < count; done += 1_000) {
    await sessions.append(
      key,
      Array.from({ length: Math.min(1_000, count - done) }, (_, i) => message(done + i)),
    );
  }
  return key;
}

/** The append script with the arguments the engine would build, sent straight through ioredis. */
let directIds = 0;
function directAppend(key, lease, i, count = 1) {
  const pairs = [];
  for (let n = 0; n < count; n++) {
    const id = `direct-${++directIds}`;
    const body = JSON.stringify({
      id,
      role: 'user',
      content: message(i).content,
      name: null,
      tool_calls: null,
      tool_call_id: null,
      agent_id: null,
      run_id: null,
      metadata: { i },
      created_at: Date.now(),
    });
    pairs.push(id, body);
  }
  const now = String(Date.now());
  // liveAt as SessionManager passes it, so the direct path does the same expiry check
  return direct.sessionsV1Append(10, ...keys.scriptKeys(key), key.sessionId, '1', lease.owner, String(lease.token), now, now, count, ...pairs);
}

function directLast50(key) {
  return direct.zrange(keys.session(key).messages, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 50);
}

/** The read script with the arguments the engine builds for a read with liveAt (as SessionManager passes it). */
function directLiveLast50(key) {
  const { session, messages } = keys.session(key);
  return direct.sessionsV1ReadMessages(2, session, messages, String(Date.now()), '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 50);
}

// ioredis needs the scripts defined on the direct client too: reuse the engine's definitions.
for (const name of Object.keys(engine.client.scriptsSet)) direct.defineCommand(name, { lua: engine.client.scriptsSet[name].lua });

const rows = [];

// Appends at history ~10: every ten appends the session is cleared and refilled with ten
// messages (untimed), so each timed append lands on a history of 10 to 19 messages.
const short = await prefilled('short', 10);
const shortLease = await sessions.acquire(short);
const shortDirect = await prefilled('short-direct', 10);
const shortDirectLease = await sessions.acquire(shortDirect);
const refill = (key, lease) => async (i) => {
  if (i % 10 !== 0) return;
  await sessions.clear(key, { lease });
  await sessions.append(
    key,
    Array.from({ length: 10 }, (_, n) => message(n)),
    { lease },
  );
};
// Appends at history ~10,000.
const long = await prefilled('long', LONG);
const longLease = await sessions.acquire(long);
const turnKey = await prefilled('turns', 1_000);

const [appendShort, directShort, appendLong, directLong, readLast, directRead, readPlain, directPlain, turn, directTurn] = await timeAll(OPS, [
  { prepare: refill(short, shortLease), body: (i) => sessions.append(short, message(i), { lease: shortLease }) },
  { prepare: refill(shortDirect, shortDirectLease), body: (i) => directAppend(shortDirect, shortDirectLease, i) },
  { body: (i) => sessions.append(long, message(i), { lease: longLease }) },
  { body: (i) => directAppend(long, longLease, i) },
  { body: () => sessions.messages(long, { last: 50 }) },
  { body: () => directLiveLast50(long) },
  // Without liveAt (tools that read expired sessions too): a plain ZRANGE.
  { body: () => engine.readMessages(long, { last: 50 }) },
  { body: () => directLast50(long) },
  // A full run() turn: acquire, load session and last 50, append a question and an answer, release.
  { body: (i) => sessions.run(turnKey, async ({ append }) => append([message(i), { role: 'assistant', content: `answer ${i}` }]), { history: { last: 50 } }) },
  {
    body: async (i) => {
      const [granted, token] = await direct.sessionsV1Acquire(10, ...keys.scriptKeys(turnKey), 'direct-owner', 60_000);
      if (granted !== 1) throw new Error('lease busy');
      const lease = { owner: 'direct-owner', token: Number(token) };
      await direct.hgetall(keys.session(turnKey).session);
      await directLiveLast50(turnKey);
      await directAppend(turnKey, lease, i, 2);
      await direct.sessionsV1Release(10, ...keys.scriptKeys(turnKey), lease.owner, String(lease.token));
    },
  },
]);
await sessions.release(longLease);
rows.push(['fenced append, history 10', appendShort, directShort]);
rows.push([`fenced append, history ${LONG.toLocaleString('en')}`, appendLong, directLong]);
rows.push([`last 50 of ${LONG.toLocaleString('en')}`, readLast, directRead]);
rows.push([`last 50 of ${LONG.toLocaleString('en')}, no liveAt`, readPlain, directPlain]);
rows.push(['run() turn (2 appends, last 50)', turn, directTurn]);

// Round trips, counted by a proxy on a second engine (timings above never go through it).
const target = new URL(REDIS_URL);
const counter = await startCounter({ host: target.hostname, port: Number(target.port || 6379) });
const counted = new RedisEngine({ url: `redis://127.0.0.1:${counter.port}${target.pathname}`, prefix: PREFIX });
await counted.setup();
const countedSessions = new SessionManager({ engine: counted, lockTtlMs: 60_000, heartbeatMs: 10_000 });
const once = async (body) => {
  const before = counter.roundTrips;
  await body();
  return counter.roundTrips - before;
};
const tripKey = { userId: 'bench-user', sessionId: 'round-trips' };
await countedSessions.create(tripKey);
// The first use of each script on a connection sends EVAL with its source: warm them all up.
let held = await countedSessions.acquire(tripKey);
await countedSessions.append(tripKey, message(0), { lease: held });
held = await countedSessions.renew(held);
await countedSessions.release(held);
await countedSessions.run(tripKey, async ({ append }) => append(message(0)));
const roundTrips = {};
roundTrips['acquire'] = await once(async () => (held = await countedSessions.acquire(tripKey)));
roundTrips['fenced append'] = await once(() => countedSessions.append(tripKey, message(1), { lease: held }));
roundTrips['renew'] = await once(async () => (held = await countedSessions.renew(held)));
roundTrips['release'] = await once(() => countedSessions.release(held));
roundTrips['get session'] = await once(() => countedSessions.get(tripKey));
roundTrips[`last 50 of ${LONG.toLocaleString('en')}`] = await once(() => countedSessions.messages(long, { last: 50 }));
roundTrips[`last 50 of ${LONG.toLocaleString('en')}, no liveAt`] = await once(() => counted.readMessages(long, { last: 50 }));
roundTrips['run() turn (2 appends, last 50)'] = await once(() =>
  countedSessions.run(tripKey, async ({ append }) => append([message(1), { role: 'assistant', content: 'answer' }]), { history: { last: 50 } }),
);
roundTrips['create session'] = await once(() => countedSessions.create({ userId: 'bench-user', sessionId: 'created-counted' }));
roundTrips['list a page of 20'] = await once(() => countedSessions.list({ userId: 'bench-user', limit: 20 }));

const pad = (text, width) => String(text).padEnd(width);
const num = (value) => value.toFixed(0).padStart(9);
console.log(`\n@sessions/redis vs direct ioredis (${REDIS_URL}; ${OPS} ops per case in ${ROUNDS} interleaved rounds; median round, µs per op)\n`);
console.log(`${pad('operation', 36)}${'engine'.padStart(9)}${'direct'.padStart(9)}${'ratio'.padStart(8)}`);
for (const [name, ours, theirs] of rows) console.log(`${pad(name, 36)}${num(ours)}${num(theirs)}${(ours / theirs).toFixed(2).padStart(8)}`);
console.log(`\n${pad(`append at ${LONG.toLocaleString('en')} / append at 10`, 36)}${(appendLong / appendShort).toFixed(2).padStart(26)}  (engine)`);
console.log(`${pad('', 36)}${(directLong / directShort).toFixed(2).padStart(26)}  (direct)`);
console.log(`${pad('last 50: expiry script / plain ZRANGE', 36)}${(directRead / directPlain).toFixed(2).padStart(26)}  (direct)`);
console.log(`\nround trips per operation (engine; target: 1 for a fenced append)\n`);
for (const [name, count] of Object.entries(roundTrips)) console.log(`${pad(name, 36)}${String(count).padStart(9)}`);
console.log(`${pad('run() turn sent directly', 36)}${'5'.padStart(9)}  (acquire, session, last 50, append, release)`);

await counted.close();
await counter.close();
await engine.close();
// Clean up the benchmark's keys (SCAN is fine here; the adapter never scans).
let cursor = '0';
do {
  const [next, batch] = await direct.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
  if (batch.length) await direct.unlink(...batch);
  cursor = next;
} while (cursor !== '0');
await direct.quit();
