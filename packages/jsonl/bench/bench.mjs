// Benchmarks for @sessions/jsonl, as ratios measured in one run (absolute times depend on the
// disk and on what else runs; ratios much less). Run `pnpm --filter @sessions/jsonl build` first.
//
//   node bench/bench.mjs                     default sizes
//   BENCH_SESSIONS=2000 node bench/bench.mjs fewer sessions for the listing benchmark
//
// Measurements alternate between the two sides of each ratio, so load from other processes
// falls on both sides alike; each figure is the median of its samples.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, SessionManager } from '@sessions/core';
import { JsonlEngine } from '../dist/index.js';

const LONG = 10_000;
const SHORT = 10;
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const FEW_SESSIONS = 100;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);

const dir = mkdtempSync(join(tmpdir(), 'sessions-jsonl-bench-'));
const engine = new JsonlEngine({ dir });
await engine.setup();
const manager = new SessionManager({ engine });
const rows = [];

try {
  const short = { userId: 'bench', sessionId: 'short' };
  const hundred = { userId: 'bench', sessionId: 'hundred' };
  const long = { userId: 'bench', sessionId: 'long' };
  await fill(short, SHORT);
  await fill(hundred, 100);
  await fill(long, LONG);

  // 1. Appending one message: history 10 vs 10,000 (warm index, the steady state of a process).
  const [appendShort, appendLong] = await alternate(SAMPLES, [
    () => manager.append(short, { role: 'user', content: 'one more message' }),
    () => manager.append(long, { role: 'user', content: 'one more message' }),
  ]);
  row('append 1 message', `history ${SHORT}`, appendShort, appendShort);
  row('append 1 message', `history ${LONG}`, appendLong, appendShort);
  // The first append of a process to a long session scans the file once to index it.
  const firstAppend = await coldly(20, (cold) => new SessionManager({ engine: cold }).append(long, { role: 'user', content: 'first of a process' }));
  row('  first append in a new process', `history ${LONG}`, firstAppend, appendShort);

  // 2. Loading the last 50 messages.
  const [last50Hundred, last50Long] = await alternate(SAMPLES, [() => manager.messages(hundred, { last: 50 }), () => manager.messages(long, { last: 50 })]);
  const [allLong] = await alternate(10, [() => manager.messages(long)]);
  row('load last 50', 'history 100', last50Hundred, last50Hundred);
  row('load last 50', `history ${LONG}`, last50Long, last50Hundred);
  const coldLast50 = await coldly(20, (cold) => new SessionManager({ engine: cold }).messages(long, { last: 50 }));
  row('  same, new process (tail read)', `history ${LONG}`, coldLast50, last50Hundred);
  row(`  vs loading all ${LONG}`, `history ${LONG}`, allLong, last50Hundred);

  // 3. A full run() turn: lease, session, last 50, append 2, release.
  const turn = (key) =>
    manager.run(
      key,
      ({ append }) =>
        append([
          { role: 'user', content: 'question' },
          { role: 'assistant', content: 'answer' },
        ]),
      { history: { last: 50 } },
    );
  const [turnShort, turnLong] = await alternate(Math.ceil(SAMPLES / 4), [() => turn(short), () => turn(long)]);
  row('run() turn', `history ${SHORT}`, turnShort, turnShort);
  row('run() turn', `history ${LONG}`, turnLong, turnShort);

  // 4. Listing 20 of a user's sessions filtered on metadata.
  const started = performance.now();
  await fillSessions('many', SESSIONS);
  await fillSessions('few', FEW_SESSIONS);
  const setupSeconds = ((performance.now() - started) / 1000).toFixed(1);
  const list = (userId) => manager.list({ userId, where: eq('metadata.tier', 'pro'), limit: 20 });
  const [listFew, listMany] = await alternate(20, [() => list('few'), () => list('many')]);
  row('list 20, where metadata.tier', `${FEW_SESSIONS} sessions`, listFew, listFew);
  row('list 20, where metadata.tier', `${SESSIONS} sessions`, listMany, listFew);

  console.log(`@sessions/jsonl benchmark (fsync on, ${SAMPLES} samples, ${SESSIONS} sessions created in ${setupSeconds} s)\n`);
  printTable(rows);
  console.log('\nratio: median time / median time of the first row of its group, in this run.');
  console.log("Listing reads every session file of the user (no session index): it grows with the user's session count.");
} finally {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}

async function fill(key, count) {
  await manager.create(key);
  for (let done = 0; done < count; done += 500) {
    const batch = Math.min(500, count - done);
    await manager.append(
      key,
      Array.from({ length: batch }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${done + i} ${'lorem ipsum '.repeat(8)}` })),
    );
  }
}

/** Creates sessions through an engine without fsync (setup only; the measured engine keeps it on), 32 at a time. */
async function fillSessions(userId, count) {
  const loader = new JsonlEngine({ dir, fsync: false });
  await loader.setup();
  const loaderManager = new SessionManager({ engine: loader });
  try {
    for (let done = 0; done < count; done += 32) {
      await Promise.all(
        Array.from({ length: Math.min(32, count - done) }, (_, i) =>
          loaderManager.create({ userId, sessionId: `s${done + i}`, metadata: { tier: (done + i) % 10 === 0 ? 'pro' : 'free', n: done + i } }),
        ),
      );
    }
  } finally {
    await loader.close();
  }
}

/** Runs each operation `samples` times, round-robin; returns each one's median in ms. */
async function alternate(samples, operations) {
  const times = operations.map(() => []);
  for (let i = 0; i < samples; i++) {
    for (const [j, operation] of operations.entries()) {
      const start = performance.now();
      await operation();
      times[j].push(performance.now() - start);
    }
  }
  return times.map(median);
}

/** Median ms of `fn` on a new engine each time (empty caches, like another process); engine setup is not timed. */
async function coldly(samples, fn) {
  const times = [];
  for (let i = 0; i < samples; i++) {
    const cold = new JsonlEngine({ dir });
    await cold.setup();
    const start = performance.now();
    await fn(cold);
    times.push(performance.now() - start);
    await cold.close();
  }
  return median(times);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function row(operation, size, ms, baseMs) {
  rows.push([operation, size, ms.toFixed(3), (ms / baseMs).toFixed(2)]);
}

function printTable(table) {
  const header = ['operation', 'size', 'median ms', 'ratio'];
  const widths = header.map((title, i) => Math.max(title.length, ...table.map((r) => r[i].length)));
  const line = (cells) => cells.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));
}
