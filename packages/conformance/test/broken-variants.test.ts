import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';
import type { BrokenVariant } from './fixtures/broken-engines.js';

const run = promisify(execFile);
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const vitestBin = createRequire(import.meta.url).resolve('vitest/vitest.mjs');

interface JsonReport {
  numFailedTests: number;
  numPassedTests: number;
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
}

/** Runs the whole suite against one broken engine in a child vitest and returns the names of failed tests. */
async function failedTests(variant: BrokenVariant): Promise<{ failed: string[]; passed: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'sessions-broken-'));
  const outputFile = join(dir, 'report.json');
  try {
    await run(process.execPath, [vitestBin, 'run', '--config', 'vitest.fixtures.config.ts', '--reporter=json', `--outputFile=${outputFile}`], {
      cwd: packageRoot,
      env: { ...process.env, BROKEN_VARIANT: variant },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { code?: number }) => {
      if (error.code !== 1) throw error; // 1 = tests failed, which is what we want
    });
    const report = JSON.parse(await readFile(outputFile, 'utf8')) as JsonReport;
    const failed = report.testResults.flatMap((file) => file.assertionResults.filter((test) => test.status === 'failed').map((test) => test.fullName));
    return { failed, passed: report.numPassedTests };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the suite fails every deliberately broken engine', () => {
  it('catches an engine without the fencing check', async ({ expect }) => {
    const { failed, passed } = await failedTests('noFencing');
    expect(passed).toBeGreaterThan(50);
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining('rejects a write from a lease that expired under it')]));
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining("rejects a stale holder's write after the next holder took over")]));
  });

  it('catches an engine that skips the fencing check on versioned updates', async ({ expect }) => {
    const { failed } = await failedTests('unfencedVersionedUpdate');
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining('fences versioned updates too')]));
  });

  it('catches an engine that writes to expired sessions', async ({ expect }) => {
    const { failed } = await failedTests('writesToExpired');
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining('treats an expired session as gone')]));
  });

  it('catches an engine that reads the messages of expired sessions', async ({ expect }) => {
    const { failed } = await failedTests('readsExpired');
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining('reads no messages of an expired session')]));
  });

  it('catches an engine that assigns seq by read-then-write', async ({ expect }) => {
    const { failed } = await failedTests('readThenWriteSeq');
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining('keeps seq gap-free and loses nothing under 16 concurrent appenders')]));
  });

  it('catches an engine whose ne matches nulls', async ({ expect }) => {
    const { failed } = await failedTests('neMatchesNull');
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining('ne excludes nulls')]));
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining('returns the same sessions, in the same order, for random filters')]));
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining('returns the same counts and pages for random filters')]));
  });

  it('catches an engine that shares returned objects with the store', async ({ expect }) => {
    const { failed } = await failedTests('sharedObjects');
    expect(failed).toEqual(expect.arrayContaining([expect.stringContaining('hands out copies')]));
  });
});
