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
    await sessions.append(
      session,
      Array.from({ length: batch }, (_, i) => ({ role: 'user', content: `message ${done + i}` })),
    );
  }
  return session;
}

/** µs per append to a session that starts at `length` messages; a fresh session each time, so its history stays there. */
async function microsPerAppend(length, count) {
  const session = await sessionWithHistory(length);
  for (let i = 0; i < 20; i++) await sessions.append(session, { role: 'user', content: 'warm-up' });
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await sessions.append(session, { role: 'assistant', content: `reply ${i}` });
  const micros = Number(process.hrtime.bigint() - started) / 1000 / count;
  await sessions.delete(session);
  return micros;
}

// 100 appends per measurement keep the short session short (10 to 130 messages) and the long one at about 10,000.
const appendsPerRound = 100;
const rounds = 41;
const shortRuns = [];
const longRuns = [];
for (let round = 0; round < rounds; round++) {
  // Interleave the two so machine noise hits both alike.
  shortRuns.push(await microsPerAppend(10, appendsPerRound));
  longRuns.push(await microsPerAppend(10_000, appendsPerRound));
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
console.log(`MemoryEngine append benchmark (median of ${rounds} interleaved rounds of ${appendsPerRound} appends)`);
for (const [name, value] of rows) console.log(`${name.padEnd(40)} ${value}`);
await engine.close();
