// Appending never rewrites history: the cost of one append must not grow with the history.
// Prints appends per second and the per-append cost at history 10 and 10,000, measured in one run.
import { MemoryEngine, SessionManager } from '../dist/index.js';

const engine = new MemoryEngine();
await engine.setup();
const sessions = new SessionManager({ engine });

async function sessionWithHistory(length) {
  const session = await sessions.create({ userId: 'bench' });
  for (let done = 0; done < length; done += 1000) {
    const batch = Math.min(1000, length - done);
    await sessions.append(session, Array.from({ length: batch }, (_, i) => ({ role: 'user', content: `message ${done + i}` })));
  }
  return session;
}

async function microsPerAppend(session, count) {
  for (let i = 0; i < 200; i++) await sessions.append(session, { role: 'user', content: 'warm-up' });
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await sessions.append(session, { role: 'assistant', content: `reply ${i}` });
  return Number(process.hrtime.bigint() - started) / 1000 / count;
}

const short = await sessionWithHistory(10);
const long = await sessionWithHistory(10_000);
const rounds = 5;
const shortRuns = [];
const longRuns = [];
for (let round = 0; round < rounds; round++) {
  // Interleave the two so machine noise hits both alike.
  shortRuns.push(await microsPerAppend(short, 2_000));
  longRuns.push(await microsPerAppend(long, 2_000));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const shortCost = median(shortRuns);
const longCost = median(longRuns);
const rows = [
  ['appends per second (history 10)', Math.round(1e6 / shortCost).toLocaleString('en')],
  ['µs per append at history 10', shortCost.toFixed(2)],
  ['µs per append at history 10,000', longCost.toFixed(2)],
  ['ratio 10,000 / 10 (target: near 1)', (longCost / shortCost).toFixed(2)],
];
console.log('MemoryEngine append benchmark (median of 5 interleaved rounds)');
for (const [name, value] of rows) console.log(`${name.padEnd(40)} ${value}`);
await engine.close();
