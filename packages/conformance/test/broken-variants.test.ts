import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';
import type { BrokenVariant } from './fixtures/broken-initializers.js';

const run = promisify(execFile);
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const vitestBin = createRequire(import.meta.url).resolve('vitest/vitest.mjs');

interface JsonReport {
  numFailedTests: number;
  numPassedTests: number;
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>;
}

interface Outcome {
  failed: string[];
  /** Every failure message, to check that a failure names the hook and the rule. */
  messages: string;
  passed: number;
  skipped: string[];
}

/**
 * Runs the suite against one broken engine in a child vitest and returns what failed. `only`
 * narrows the run to the groups that matter (a regular expression on test names), so the
 * table below stays quick.
 */
async function outcome(variant: BrokenVariant, only?: string): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), 'sessions-broken-'));
  const outputFile = join(dir, 'report.json');
  try {
    const filter = only === undefined ? [] : ['-t', only];
    await run(process.execPath, [vitestBin, 'run', '--config', 'vitest.fixtures.config.ts', '--reporter=json', `--outputFile=${outputFile}`, ...filter], {
      cwd: packageRoot,
      env: { ...process.env, BROKEN_VARIANT: variant },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { code?: number }) => {
      if (error.code !== 1) throw error; // 1 = tests failed, which is what we want
    });
    const report = JSON.parse(await readFile(outputFile, 'utf8')) as JsonReport;
    const failures = report.testResults.flatMap((file) => file.assertionResults.filter((test) => test.status === 'failed'));
    const skipped = report.testResults.flatMap((file) => file.assertionResults.filter((test) => test.status === 'skipped').map((test) => test.fullName));
    return {
      failed: failures.map((test) => test.fullName),
      messages: failures.flatMap((test) => test.failureMessages).join('\n'),
      passed: report.numPassedTests,
      skipped,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Case {
  variant: BrokenVariant;
  what: string;
  /** Tests that must fail (a part of each name). */
  fails: string[];
  /** Parts of the failure messages: the hook and the rule it broke. */
  says?: string[];
  only?: string;
}

const CASES: Case[] = [
  {
    variant: 'noFencing',
    what: 'an engine without the fencing check',
    fails: ['rejects a write from a lease that expired under it', "rejects a stale holder's write after the next holder took over"],
  },
  { variant: 'unfencedVersionedUpdate', what: 'an engine that skips the fencing check on versioned updates', fails: ['fences versioned updates too'] },
  { variant: 'writesToExpired', what: 'an engine that writes to expired sessions', fails: ['treats an expired session as gone'] },
  { variant: 'readsExpired', what: 'an engine that reads the messages of expired sessions', fails: ['reads no messages of an expired session'] },
  {
    variant: 'readThenWriteSeq',
    what: 'an engine that assigns seq by read-then-write',
    fails: ['keeps seq gap-free and loses nothing under 16 concurrent appenders'],
  },
  {
    variant: 'neMatchesNull',
    what: 'an engine whose ne matches nulls',
    fails: ['ne excludes nulls', 'returns the same sessions, in the same order, for random filters', 'returns the same counts and pages for random filters'],
    says: [
      'findMany must return exactly the sessions that match where {"op":"ne","field":"title","value":"Alpha"} (ne excludes nulls)',
      'findMany must return what MemoryEngine returns for where {"op":',
    ],
  },
  { variant: 'sharedObjects', what: 'an engine that shares returned objects with the store', fails: ['hands out copies'] },
  {
    variant: 'persistentWithoutOpener',
    what: 'an engine that claims persistence and gives no way to check it from another process',
    fails: ['another process sees every committed session'],
    says: ['has no openInAnotherProcess'],
    only: 'persistence',
  },
  {
    variant: 'persistsNothing',
    what: 'an engine that keeps its "persistent" store in process memory (reopen shares it)',
    fails: ['another process sees every committed session'],
    says: ["createSession and appendMessages must be in the store, not in the writing engine's memory"],
    only: 'persistence',
  },
  {
    variant: 'inProcessLock',
    what: 'an engine that claims crossProcess with an in-process lock only',
    fails: ['grants a lease to exactly one acquirer when two processes contend', 'keeps seq gap-free and batches whole with appenders in two processes'],
    says: ['acquireLease must grant a lease to exactly one acquirer across processes'],
    only: 'across processes|persistence',
  },
  {
    variant: 'partialBatchInsert',
    what: 'a batch insert that writes some sessions before SessionExistsError',
    fails: ['insert writes all of a batch or none of it'],
    says: ['insert must write none of a batch that hit SessionExistsError'],
    only: 'engine hook rules',
  },
  {
    variant: 'releaseAfterExpiry',
    what: 'releaseLease returning true for its own expired lease',
    fails: ["releaseLease returns false for the caller's own lease once it expired"],
    says: ['releaseLease must return false for a lease that expired'],
    only: 'engine hook rules',
  },
  {
    variant: 'reentrantAcquire',
    what: 'a re-entrant acquireLease',
    fails: ['acquireLease is not re-entrant'],
    says: ['acquireLease must refuse a held lease to its own owner too'],
    only: 'engine hook rules|leases',
  },
  {
    variant: 'updatedAtFromLastMessage',
    what: "appendMessages moving updatedAt to the last message's createdAt, backwards too",
    fails: ['appendMessages moves updatedAt to the latest createdAt'],
    says: ["appendMessages must set updatedAt to the latest of its current value and the appended messages' createdAt"],
    only: 'engine hook rules',
  },
  {
    variant: 'versionBeforeLease',
    what: 'updateSession checking expectedVersion before the lease',
    fails: ['checks a fenced write in this order'],
    says: ['updateSession must check the lease before expectedVersion'],
    only: 'engine hook rules',
  },
  {
    variant: 'createReplacesExpired',
    what: 'createSession replacing an expired leftover itself',
    fails: ['createSession refuses an expired leftover'],
    says: ['createSession must throw SessionExistsError for any stored session under the key, expired or not'],
    only: 'engine hook rules',
  },
  {
    variant: 'updateKeepsVersion',
    what: 'a generic update that leaves version alone',
    fails: ['generic update bumps the version of every session it matches'],
    says: ['update must bump version by one on each matched session'],
    only: 'engine hook rules',
  },
];

// Concurrent (four at a time): each case is a child vitest that mostly waits on lease timers.
describe.concurrent('the suite fails every deliberately broken engine', { timeout: 240_000 }, () => {
  for (const { variant, what, fails, says = [], only } of CASES) {
    it(`catches ${what}`, async ({ expect }) => {
      const { failed, messages, passed, skipped } = await outcome(variant, only);
      if (only === undefined) {
        expect(passed, 'the rest of the suite still runs').toBeGreaterThan(50);
        // These initializers give no raw reader and MemoryEngine is neither persistent nor cross-process: all visible.
        expect(skipped, 'tests needing a raw reader show as skipped, with the reason').toEqual(
          expect.arrayContaining([expect.stringContaining('(skipped: no raw reader)')]),
        );
        expect(skipped, 'tests an engine capability excludes show as skipped').toEqual(
          expect.arrayContaining([
            expect.stringContaining('grants a lease to exactly one acquirer when two processes contend'),
            expect.stringContaining('another process sees every committed'),
          ]),
        );
      }
      for (const name of fails) expect(failed, `expected "${name}" to fail for ${variant}`).toEqual(expect.arrayContaining([expect.stringContaining(name)]));
      for (const text of says) expect(messages, `a failure for ${variant} must say "${text}"`).toContain(text);
    });
  }
});
