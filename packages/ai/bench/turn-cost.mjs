// Cost of one agent turn as the history grows: with a history window a turn reads one page
// from the end, so its cost should not depend on how long the session is (ratio near 1).
// Without a window every turn reads and sends the whole history (ratio grows with it).
// Run after a build: pnpm --filter @sessions/ai build && pnpm --filter @sessions/ai bench
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEngine, SessionManager } from '@sessions/core';
import { SqliteEngine } from '@sessions/sqlite';
import { MockLanguageModelV3 } from 'ai/test';
import { createAgent } from '../dist/index.js';

const TURNS = Number(process.env.BENCH_TURNS ?? 40);
const SHORT = 10;
const LONG = 10_000;
const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 1, text: 1, reasoning: undefined } };
const model = new MockLanguageModelV3({
  doGenerate: async () => ({ content: [{ type: 'text', text: 'ok' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] }),
});

async function seed(sessions, key, count) {
  await sessions.create(key);
  for (let start = 0; start < count; start += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - start) }, (_, i) => ({
      role: (start + i) % 2 === 0 ? 'user' : 'assistant',
      content: `message ${start + i} ${'x'.repeat(80)}`,
    }));
    await sessions.append(key, batch);
  }
}

async function openSession(engine, historyLength, historyWindow) {
  const sessions = new SessionManager({ engine });
  const key = { userId: 'bench', sessionId: `s_${historyLength}_${historyWindow ?? 'all'}_${Math.random().toString(36).slice(2)}` };
  await seed(sessions, key, historyLength);
  const agent = createAgent({ model, sessions, ...(historyWindow ? { historyWindow } : {}) });
  for (let i = 0; i < 3; i++) await agent.run(key, 'warm up');
  return async (turns) => {
    const start = performance.now();
    for (let i = 0; i < turns; i++) await agent.run(key, `turn ${i}`);
    return (performance.now() - start) / turns;
  };
}

// Short and long sessions are measured in alternating rounds and the best round kept, so JIT
// warm-up and machine noise fall on both alike.
const ROUNDS = 5;
const rows = [];
async function measure(name, open) {
  for (const historyWindow of [20, undefined]) {
    const engine = await open();
    const short = await openSession(engine, SHORT, historyWindow);
    const long = await openSession(engine, LONG, historyWindow);
    let best = { short: Infinity, long: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      best.short = Math.min(best.short, await short(TURNS));
      best.long = Math.min(best.long, await long(historyWindow ? TURNS : Math.ceil(TURNS / 4)));
    }
    await engine.close();
    rows.push({
      engine: name,
      window: historyWindow ?? 'all history',
      [`ms/turn @${SHORT}`]: best.short.toFixed(3),
      [`ms/turn @${LONG}`]: best.long.toFixed(3),
      ratio: (best.long / best.short).toFixed(2),
    });
  }
}

// Warm the whole pipeline (SDK, validation, engine code) before the first measurement.
{
  const engine = new MemoryEngine();
  await engine.setup();
  const scratch = await openSession(engine, SHORT, 20);
  await scratch(200);
  await engine.close();
}

await measure('memory', async () => {
  const engine = new MemoryEngine();
  await engine.setup();
  return engine;
});
const dir = await mkdtemp(join(tmpdir(), 'sessions-ai-bench-'));
try {
  let n = 0;
  await measure('sqlite', async () => {
    const engine = new SqliteEngine({ path: join(dir, `bench-${n++}.db`) });
    await engine.setup();
    return engine;
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}
console.log(`@sessions/ai: cost of one agent turn (mock model, best of ${ROUNDS} rounds) at history lengths ${SHORT} and ${LONG}`);
console.table(rows);
