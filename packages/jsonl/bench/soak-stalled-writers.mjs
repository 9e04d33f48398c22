// Soak: two writer processes on one session, one stopped (SIGSTOP) and resumed over and over for
// longer than lockStaleMs, in both settings (both on this host; the stopped one where its liveness
// cannot be checked, so its lock is broken and only the fence protects the session). Prints what
// it found; exits 1 if an acknowledged message was lost or duplicated, a failed one was stored,
// seqs have a gap, or the session could not be read. Run `pnpm --filter @sessions/jsonl build` first.
//
//   node bench/soak-stalled-writers.mjs                  2 rounds x 2 settings x 20 s
//   SOAK_MS=60000 SOAK_ROUNDS=5 node bench/soak-stalled-writers.mjs
import { runStalledWriters } from '../test/fixtures/stalled-writers-stress.mjs';

const MS = Number(process.env.SOAK_MS ?? 20_000);
const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 2);
const LOCK_STALE_MS = Number(process.env.SOAK_LOCK_STALE_MS ?? 100);

let bad = 0;
console.log(
  `setting      round  stops  stored  acked (steady/stopped)  failures                                         lost  dup  failed-but-stored  gap-free  readable`,
);
for (let round = 1; round <= ROUNDS; round++) {
  for (const stoppedElsewhere of [false, true]) {
    const found = await runStalledWriters({ ms: MS, lockStaleMs: LOCK_STALE_MS, stoppedElsewhere });
    const failures =
      Object.entries({ ...prefixed('steady', found.writers.steady.failed), ...prefixed('stopped', found.writers.stopped.failed) })
        .map(([name, count]) => `${name} ${count}`)
        .join(', ') || 'none';
    const ok =
      found.lost.length === 0 &&
      found.duplicated.length === 0 &&
      found.failedButStored.length === 0 &&
      found.seqsGapFree &&
      found.unreadable === null &&
      found.writers.steady.exit === 0 &&
      found.writers.stopped.exit === 0;
    if (!ok) bad++;
    console.log(
      [
        (stoppedElsewhere ? 'overtaken' : 'this host').padEnd(12),
        String(round).padStart(5),
        String(found.stops).padStart(6),
        String(found.stored).padStart(7),
        `${found.writers.steady.acked}/${found.writers.stopped.acked}`.padStart(23),
        failures.padEnd(47),
        String(found.lost.length).padStart(4),
        String(found.duplicated.length).padStart(4),
        String(found.failedButStored.length).padStart(18),
        String(found.seqsGapFree).padStart(9),
        found.unreadable === null ? '     yes' : `      NO: ${found.unreadable}`,
      ].join('  '),
    );
    if (!ok) console.log(JSON.stringify(found, null, 2));
  }
}
console.log(bad === 0 ? 'nothing acknowledged was lost' : `${bad} run(s) found a problem`);
process.exitCode = bad === 0 ? 0 : 1;

function prefixed(writer, failed) {
  return Object.fromEntries(Object.entries(failed).map(([name, count]) => [`${writer} ${name}`, count]));
}
