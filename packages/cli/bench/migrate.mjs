// Measures the sessions CLI on stores of growing size, in one run, and prints ratios:
//   node bench/migrate.mjs [--small 20000] [--large 200000] [--long 100000]
// Each case runs the built bin (dist/bin.js) as a user would, in its own process, and reads
// that process's peak RSS. Memory should stay flat as the store grows (ratio near 1), and
// throughput should not fall (keyset paging never rescans).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SqliteEngine } from '@sessions/sqlite';

const { values } = parseArgs({
  options: { small: { type: 'string', default: '20000' }, large: { type: 'string', default: '200000' }, long: { type: 'string', default: '100000' } },
});
const MESSAGES_PER_SESSION = 10;
const HEAP_CAP_MB = 32;
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const usageHook = fileURLToPath(new URL('./report-usage.mjs', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'sessions-cli-bench-'));

async function seed(path, sessions, perSession) {
  const engine = new SqliteEngine({ path });
  await engine.setup();
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < sessions; i++) {
    const userId = `user_${i % 97}`;
    const sessionId = `s_${String(i).padStart(7, '0')}`;
    const createdAt = new Date(base + i);
    const messages = [];
    for (let seq = 1; seq <= perSession; seq++) {
      messages.push({
        userId,
        sessionId,
        seq,
        id: `m_${seq}`,
        role: seq % 2 ? 'user' : 'assistant',
        content: `message ${seq} of ${sessionId}: ${'lorem ipsum '.repeat(8)}`,
        name: null,
        toolCalls: null,
        toolCallId: null,
        agentId: null,
        runId: null,
        metadata: { seq },
        createdAt,
      });
    }
    await engine.createSession(
      {
        userId,
        sessionId,
        title: `session ${i}`,
        metadata: { i },
        state: {},
        status: 'active',
        createdAt,
        updatedAt: createdAt,
        expiresAt: null,
        parentSessionId: null,
        parentSeq: null,
        messageCount: perSession,
        lastSeq: perSession,
        version: 0,
      },
      messages,
    );
  }
  await engine.close();
}

function run(args, { stdoutTo, nodeArgs = [] } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, '--import', usageHook, bin, ...args], { stdio: ['ignore', stdoutTo ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    if (stdoutTo) child.stdout.pipe(createWriteStream(stdoutTo));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const usage = JSON.parse(/BENCH_USAGE (.*)/.exec(stderr)?.[1] ?? 'null');
      if (code !== 0 || !usage) reject(new Error(`sessions ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ms, rssMb: usage.maxRssKb / 1024 });
    });
  });
}

const cases = [
  { name: 'small', sessions: Number(values.small) / MESSAGES_PER_SESSION, perSession: MESSAGES_PER_SESSION },
  { name: 'large', sessions: Number(values.large) / MESSAGES_PER_SESSION, perSession: MESSAGES_PER_SESSION },
  { name: 'one long session', sessions: 1, perSession: Number(values.long) },
];
const rows = [];
try {
  for (const c of cases) {
    const source = join(dir, `${c.name.replaceAll(' ', '-')}.db`);
    process.stderr.write(`seeding ${c.name}: ${c.sessions} sessions x ${c.perSession} messages ...\n`);
    await seed(source, c.sessions, c.perSession);
    const messages = c.sessions * c.perSession;
    const target = join(dir, `${c.name.replaceAll(' ', '-')}-copy.db`);
    const file = join(dir, `${c.name.replaceAll(' ', '-')}.jsonl`);
    const migrate = await run(['migrate', `sqlite:${source}`, `sqlite:${target}`, '--quiet', '--json']);
    const exported = await run(['export', `sqlite:${source}`, '--quiet'], { stdoutTo: file });
    const imported = await run(['import', `sqlite:${join(dir, `${c.name.replaceAll(' ', '-')}-import.db`)}`, file, '--quiet']);
    const mb = (await stat(file)).size / 1024 / 1024;
    // The real test of flat memory: the same migration and export with the JS heap capped far
    // below the data size. Anything that held the store (or one long session) would crash.
    const capped = [`--max-old-space-size=${HEAP_CAP_MB}`];
    const cappedTarget = join(dir, `${c.name.replaceAll(' ', '-')}-capped.db`);
    const heapCapped = await Promise.all([
      run(['migrate', `sqlite:${source}`, `sqlite:${cappedTarget}`, '--quiet'], { nodeArgs: capped }).then(
        () => 'ok',
        (error) => `FAILED (${String(error.message).slice(0, 80)})`,
      ),
      run(['export', `sqlite:${source}`, '--quiet'], { nodeArgs: capped, stdoutTo: join(dir, 'capped.jsonl') }).then(
        () => 'ok',
        (error) => `FAILED (${String(error.message).slice(0, 80)})`,
      ),
    ]);
    rows.push({ case: c.name, messages, migrate, exported, imported, mb, heapCapped });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const rate = (messages, ms) => Math.round(messages / (ms / 1000));
const fmt = (n) => n.toLocaleString('en-US');
console.log('\nsessions CLI, SQLite -> SQLite on this machine (each command in its own process)\n');
console.log('case               messages   migrate msg/s  peak MB | export msg/s  peak MB | import msg/s  peak MB | jsonl MB');
for (const r of rows) {
  console.log(
    `${r.case.padEnd(17)}${fmt(r.messages).padStart(10)}   ${fmt(rate(r.messages, r.migrate.ms)).padStart(13)}  ${r.migrate.rssMb.toFixed(0).padStart(7)} | ${fmt(rate(r.messages, r.exported.ms)).padStart(12)}  ${r.exported.rssMb.toFixed(0).padStart(7)} | ${fmt(rate(r.messages, r.imported.ms)).padStart(12)}  ${r.imported.rssMb.toFixed(0).padStart(7)} | ${r.mb.toFixed(1).padStart(8)}`,
  );
}
const [small, large, long] = rows;
const ratio = (a, b) => (a / b).toFixed(2);
console.log(`\nratios, large (${fmt(large.messages)}) / small (${fmt(small.messages)}) messages (${ratio(large.messages, small.messages)}x the data):`);
console.log(
  `  peak memory   migrate ${ratio(large.migrate.rssMb, small.migrate.rssMb)}   export ${ratio(large.exported.rssMb, small.exported.rssMb)}   import ${ratio(large.imported.rssMb, small.imported.rssMb)}   (near 1: memory does not grow with the store)`,
);
console.log(
  `  throughput    migrate ${ratio(rate(large.messages, large.migrate.ms), rate(small.messages, small.migrate.ms))}   export ${ratio(rate(large.messages, large.exported.ms), rate(small.messages, small.exported.ms))}   import ${ratio(rate(large.messages, large.imported.ms), rate(small.messages, small.imported.ms))}   (1 or more: the cost per message does not grow; small runs pay relatively more start-up)`,
);
console.log(
  `  one session of ${fmt(long.messages)} messages vs small store, peak memory: migrate ${ratio(long.migrate.rssMb, small.migrate.rssMb)}   export ${ratio(long.exported.rssMb, small.exported.rssMb)}   (import holds one line = one session in memory: ${ratio(long.imported.rssMb, small.imported.rssMb)})`,
);
console.log(
  `\nwith the JS heap capped at ${HEAP_CAP_MB} MB (--max-old-space-size): ${rows.map((r) => `${r.case}: migrate ${r.heapCapped[0]}, export ${r.heapCapped[1]}`).join('; ')}`,
);
