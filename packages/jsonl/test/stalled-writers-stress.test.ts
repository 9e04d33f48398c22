import { describe, expect, it } from 'vitest';
import { runStalledWriters } from './fixtures/stalled-writers-stress.mjs';

// Bounded to a few seconds each; `pnpm bench:soak` runs the same for longer.
describe('two writer processes, one stopped and resumed over and over past lockStaleMs', () => {
  it.each([
    ['both on this host (the stopped one is never overtaken)', false],
    ['the stopped one where its liveness cannot be checked (overtaken, fenced)', true],
  ])(
    '%s: every acknowledged message is stored exactly once, seqs gap-free, the file readable',
    async (_, stoppedElsewhere) => {
      const found = await runStalledWriters({ ms: 3_000, lockStaleMs: 100, stoppedElsewhere });
      expect(found.writers.steady.exit, found.writers.steady.stderr).toBe(0);
      expect(found.writers.stopped.exit, found.writers.stopped.stderr).toBe(0);
      expect(found.stops).toBeGreaterThan(0);
      expect(found.unreadable).toBeNull();
      expect(found.lost).toEqual([]);
      expect(found.duplicated).toEqual([]);
      expect(found.failedButStored).toEqual([]);
      expect(found.seqsGapFree).toBe(true);
      expect(found.stored).toBe(found.writers.steady.acked + found.writers.stopped.acked);
      // The only failure a writer may see is losing its lock (then nothing of its write counts).
      for (const writer of Object.values(found.writers)) expect(Object.keys(writer.failed).filter((name) => name !== 'LockLostError')).toEqual([]);
    },
    60_000,
  );
});
