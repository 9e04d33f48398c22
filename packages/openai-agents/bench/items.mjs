// How the cost of the Session operations grows with history length. Each operation should
// touch only the tail of the history, so the ratio of its cost at 10,000 items to its cost
// at 100 items should stay near 1 on every backend.
//
//   pnpm --filter @sessions/openai-agents build && pnpm --filter @sessions/openai-agents bench
//
// Not a test: numbers depend on the machine. Ratios are measured in the same run.
// `getItems()` (everything) is the one operation expected to grow with the history.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEngine, SessionManager } from '@sessions/core';
import { fromUrl as sqliteFromUrl } from '@sessions/sqlite';
import { SessionsAgentSession } from '../dist/index.js';

const SHORT = 100;
const LONG = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

const item = (i) => ({
  type: 'message',
  role: i % 2 ? 'assistant' : 'user',
  ...(i % 2 ? { status: 'completed', content: [{ type: 'output_text', text: `answer ${i}` }] } : { content: `question ${i}` }),
});

async function filled(sessions, length) {
  const session = new SessionsAgentSession({ sessions, userId: 'bench', sessionId: `s_${length}_${Math.random().toString(36).slice(2)}` });
  for (let start = 0; start < length; start += 500) {
    await session.addItems(Array.from({ length: Math.min(500, length - start) }, (_, i) => item(start + i)));
  }
  return session;
}

async function time(fn, rounds) {
  const started = performance.now();
  for (let i = 0; i < rounds; i++) await fn(i);
  return ((performance.now() - started) * 1000) / rounds;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Per operation, µs at each history length: alternating short and long sessions over
 * several repetitions and taking the median, so warm-up and a busy machine skew both alike.
 */
async function measure(sessions) {
  const short = await filled(sessions, SHORT);
  const long = await filled(sessions, LONG);
  const operations = [
    ['addItems (1 item)', (session) => (i) => session.addItems([item(i)])],
    ['getItems(20)', (session) => () => session.getItems(20)],
    [
      'popItem + addItems (undo, redo)',
      (session) => async (i) => {
        await session.popItem();
        await session.addItems([item(i)]);
      },
    ],
    ['getItems()', (session) => () => session.getItems(), 10],
  ];
  const rows = {};
  for (const [name, make, rounds = ROUNDS] of operations) {
    const samples = { [SHORT]: [], [LONG]: [] };
    await time(make(short), 10);
    await time(make(long), 10);
    for (let repeat = 0; repeat < 5; repeat++) {
      samples[SHORT].push(await time(make(short), Math.ceil(rounds / 5)));
      samples[LONG].push(await time(make(long), Math.ceil(rounds / 5)));
    }
    rows[name] = { [SHORT]: median(samples[SHORT]), [LONG]: median(samples[LONG]) };
  }
  // A long run of pops must not slow later reads: they jump over what the pops removed.
  for (let i = 0; i < 200; i++) await long.popItem();
  for (let i = 0; i < 200; i++) await short.popItem();
  await short.addItems(Array.from({ length: 30 }, (_, i) => item(i)));
  const afterPops = { [SHORT]: [], [LONG]: [] };
  await time(() => short.getItems(20), 10);
  await time(() => long.getItems(20), 10);
  for (let repeat = 0; repeat < 5; repeat++) {
    afterPops[SHORT].push(await time(() => short.getItems(20), Math.ceil(ROUNDS / 5)));
    afterPops[LONG].push(await time(() => long.getItems(20), Math.ceil(ROUNDS / 5)));
  }
  rows['getItems(20) after 200 pops'] = { [SHORT]: median(afterPops[SHORT]), [LONG]: median(afterPops[LONG]) };
  return rows;
}

const backends = [
  ['memory', async () => ({ engine: new MemoryEngine(), cleanup: async () => {} })],
  [
    'sqlite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sessions-openai-agents-bench-'));
      return { engine: sqliteFromUrl(`sqlite:${join(dir, 'bench.db')}`), cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
];

const table = [];
for (const [name, open] of backends) {
  const { engine, cleanup } = await open();
  await engine.setup();
  try {
    const rows = await measure(new SessionManager({ engine }));
    for (const [operation, cost] of Object.entries(rows)) {
      table.push({
        backend: name,
        operation,
        [`µs at ${SHORT}`]: cost[SHORT].toFixed(1),
        [`µs at ${LONG}`]: cost[LONG].toFixed(1),
        ratio: (cost[LONG] / cost[SHORT]).toFixed(2),
      });
    }
  } finally {
    await engine.close();
    await cleanup();
  }
}
console.table(table);
