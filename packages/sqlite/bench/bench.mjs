// Speed of @sessions/sqlite, as ratios measured in one run on one machine (absolute numbers
// vary between machines; ratios much less). Run: pnpm --filter @sessions/sqlite bench
// (builds first). Uses a temporary database file with the engine's defaults (WAL, synchronous=NORMAL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, SessionManager } from '@sessions/core';
import { SqliteEngine } from '../dist/index.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000);
const dir = mkdtempSync(join(tmpdir(), 'sessions-sqlite-bench-'));
const path = join(dir, 'bench.db');

/**
 * Median microseconds per call of each function. Calls alternate (a, b, c, a, b, c, ...) so
 * that load from elsewhere on the machine and cache warmth fall on each function alike,
 * which keeps the ratios meaningful even when the absolute numbers wobble.
 */
async function measureTogether(fns, samples = SAMPLES) {
  for (let i = 0; i < Math.min(200, samples); i++) for (const fn of fns) await fn();
  const times = fns.map(() => new Float64Array(samples));
  for (let i = 0; i < samples; i++) {
    for (const [j, fn] of fns.entries()) {
      const start = process.hrtime.bigint();
      await fn();
      times[j][i] = Number(process.hrtime.bigint() - start) / 1_000;
    }
  }
  return times.map((sampled) => sampled.sort()[Math.floor(samples / 2)]);
}

const engine = new SqliteEngine({ path });
await engine.setup();
const manager = new SessionManager({ engine });
const message = (i) => ({ role: 'user', content: `message ${i}: ${'lorem ipsum dolor sit amet '.repeat(8)}`, metadata: { i } });

async function sessionWithHistory(sessionId, length) {
  const key = { userId: 'bench', sessionId };
  await manager.create(key);
  for (let done = 0; done < length; done += 500) {
    await manager.append(
      key,
      Array.from({ length: Math.min(500, length - done) }, (_, i) => message(done + i)),
    );
  }
  return key;
}

const short = await sessionWithHistory('short', 10);
const long = await sessionWithHistory('long', 10_000);

// The same statements the engine issues, straight through better-sqlite3, on the engine's own
// connection: a second connection would have to re-validate its page cache after every write
// the engine made, which would flatter the engine.
const raw = engine.database;
const columns = 'user_id, session_id, seq, id, role, content, name, tool_calls, tool_call_id, agent_id, run_id, metadata, created_at';
const advance = raw.prepare(
  'UPDATE sessions SET last_seq = last_seq + ?, message_count = message_count + ?, updated_at = max(updated_at, ?) ' +
    'WHERE user_id = ? AND session_id = ? AND (expires_at IS NULL OR expires_at > ?) RETURNING last_seq',
);
const insert = raw.prepare(`INSERT INTO messages (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
let rawCounter = 0;
const rawAppend = raw.transaction((key, m) => {
  const now = Date.now();
  const { last_seq } = advance.get(1, 1, now, key.userId, key.sessionId, now);
  insert.run(
    key.userId,
    key.sessionId,
    last_seq,
    `raw_${rawCounter++}`,
    m.role,
    JSON.stringify(m.content),
    null,
    null,
    null,
    null,
    null,
    JSON.stringify(m.metadata),
    now,
  );
});
const lastN = raw.prepare(
  `SELECT ${columns} FROM messages WHERE user_id = ? AND session_id = ? AND seq > ? AND seq < ? ORDER BY seq DESC LIMIT CAST(? AS INTEGER)`,
);
const decode = (row) => ({
  userId: row.user_id,
  sessionId: row.session_id,
  seq: row.seq,
  id: row.id,
  role: row.role,
  content: JSON.parse(row.content),
  name: row.name,
  toolCalls: row.tool_calls === null ? null : JSON.parse(row.tool_calls),
  toolCallId: row.tool_call_id,
  agentId: row.agent_id,
  runId: row.run_id,
  metadata: JSON.parse(row.metadata),
  createdAt: new Date(row.created_at),
});
const rawLoad = (key) => lastN.all(key.userId, key.sessionId, 0, Number.MAX_SAFE_INTEGER, 50).reverse().map(decode);
// What a read with liveAt (every manager.messages() and run() history) issues: the expiry check in the same statement.
const lastNLive = raw.prepare(
  `SELECT ${columns} FROM messages WHERE user_id = ? AND session_id = ? AND seq > ? AND seq < ? ` +
    'AND EXISTS (SELECT 1 FROM sessions WHERE user_id = ? AND session_id = ? AND (expires_at IS NULL OR expires_at > ?)) ORDER BY seq DESC LIMIT CAST(? AS INTEGER)',
);
const rawLoadLive = (key, liveAt) =>
  lastNLive.all(key.userId, key.sessionId, 0, Number.MAX_SAFE_INTEGER, key.userId, key.sessionId, liveAt, 50).reverse().map(decode);

// What the manager hands the engine: a complete message minus seq (a literal, shaped as the manager builds it).
const newMessage = (key, i) => ({
  userId: key.userId,
  sessionId: key.sessionId,
  id: `m_${i}`,
  role: 'user',
  content: message(i).content,
  name: null,
  toolCalls: null,
  toolCallId: null,
  agentId: null,
  runId: null,
  metadata: { i },
  createdAt: new Date(),
});

let n = 0;
const [appendShort, appendLong, engineAppend, appendRaw] = await measureTogether([
  () => manager.append(short, message(n++)),
  () => manager.append(long, message(n++)),
  () => engine.appendMessages(long, [newMessage(long, n++)]),
  () => rawAppend.immediate(long, message(n++)),
]);
const [loadLast50, loadRaw, loadLive, loadLiveRaw] = await measureTogether([
  () => engine.readMessages(long, { last: 50 }),
  () => rawLoad(long),
  () => engine.readMessages(long, { last: 50, liveAt: new Date() }),
  () => rawLoadLive(long, Date.now()),
]);

// 10,000 sessions of one user; one in ten is on the "pro" plan.
const now = Date.now();
const sessions = Array.from({ length: 10_000 }, (_, i) => ({
  userId: 'lister',
  sessionId: `s${String(i).padStart(5, '0')}`,
  title: `session ${i}`,
  metadata: { plan: i % 10 === 0 ? 'pro' : 'free', channel: i % 3 === 0 ? 'web' : 'api' },
  state: {},
  status: 'active',
  createdAt: new Date(now - 10_000 + i),
  updatedAt: new Date(now - 10_000 + i),
  expiresAt: null,
  parentSessionId: null,
  parentSeq: null,
  messageCount: 0,
  lastSeq: 0,
  version: 0,
}));
await engine.insert('sessions', sessions);
const rawList = raw.prepare(
  `SELECT * FROM sessions WHERE user_id = ? AND (expires_at IS NULL OR expires_at > ?) AND status = 'active' AND json_extract(metadata, '$.plan') = ? ORDER BY updated_at DESC, session_id DESC LIMIT 21`,
);
const [listFiltered, listAll, listRaw] = await measureTogether([
  () => manager.list({ userId: 'lister', where: eq('metadata.plan', 'pro'), limit: 20 }),
  () => manager.list({ userId: 'lister', limit: 20 }),
  () => rawList.all('lister', Date.now(), 'pro').map((row) => ({ ...row, metadata: JSON.parse(row.metadata), state: JSON.parse(row.state) })),
]);

const turnKey = await sessionWithHistory('turns', 10_000);
const [turn, turnAppend] = await measureTogether([
  () =>
    manager.run(
      turnKey,
      async ({ append }) => {
        await append([message(n++), message(n++)]);
      },
      { history: { last: 50 } },
    ),
  () => manager.append(turnKey, [message(n++), message(n++)]),
]);

await engine.close();
rmSync(dir, { recursive: true, force: true });

const rows = [
  ['append 1 message, history 10', appendShort, '', ''],
  ['append 1 message, history 10,000', appendLong, appendLong / appendShort, 'vs history 10 (target ~1)'],
  ['  engine.appendMessages (no manager)', engineAppend, '', ''],
  ['  same statements via better-sqlite3', appendRaw, engineAppend / appendRaw, 'adapter / raw (target <= 1.3)'],
  ['  ... and with the manager on top', appendLong, appendLong / appendRaw, 'manager.append / raw'],
  ['load last 50 of 10,000', loadLast50, '', ''],
  ['  same statement via better-sqlite3', loadRaw, loadLast50 / loadRaw, 'adapter / raw (target <= 1.3)'],
  ['  with liveAt (expiry judged in the read)', loadLive, loadLive / loadLast50, 'vs without liveAt'],
  ['  same statement via better-sqlite3', loadLiveRaw, loadLive / loadLiveRaw, 'adapter / raw (target <= 1.3)'],
  ["list 20 of a user's 10,000, metadata.plan = pro", listFiltered, '', ''],
  ['  unfiltered list 20', listAll, listFiltered / listAll, 'filtered / unfiltered'],
  ['  same query via better-sqlite3', listRaw, listFiltered / listRaw, 'adapter / raw'],
  ['run() turn: lock, load last 50, append 2, release', turn, '', ''],
  ['  append 2 without a lease', turnAppend, turn / turnAppend, 'turn / bare append'],
];
const width = Math.max(...rows.map((row) => row[0].length));
console.log(`@sessions/sqlite, median of ${SAMPLES} samples each (Node ${process.version}, ${path.startsWith(tmpdir()) ? 'temp dir' : path})\n`);
console.log(`${'operation'.padEnd(width)}  ${'µs/op'.padStart(9)}  ${'ops/s'.padStart(8)}  ${'ratio'.padStart(6)}  meaning`);
for (const [name, micros, ratio, meaning] of rows) {
  const ratioText = ratio === '' ? '' : ratio.toFixed(2);
  console.log(
    `${name.padEnd(width)}  ${micros.toFixed(1).padStart(9)}  ${Math.round(1e6 / micros)
      .toString()
      .padStart(8)}  ${ratioText.padStart(6)}  ${meaning}`,
  );
}
