// The API report check fails, naming the package, when the committed report differs from the built declarations,
// when one is missing, and when one reports an entry the package no longer exports; update makes them equal again.
//   node --test scripts/api-report/report-package.test.mjs   (after `pnpm build`)
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { publishablePackages } from '../release/workspace.mjs';
import { reportPackage } from './report-package.mjs';

// A small published package; its committed reports (one per entry) are the starting point.
const sqlite = publishablePackages().find(({ manifest }) => manifest.name === '@sessions/sqlite');
const committedFolder = join(sqlite.dir, 'etc');
const committed = join(committedFolder, 'sqlite.api.md');
let reports;
let scratch;
const quiet = () => {};

beforeEach(() => {
  reports = mkdtempSync(join(tmpdir(), 'sessions-api-report-test-'));
  scratch = mkdtempSync(join(tmpdir(), 'sessions-api-report-scratch-'));
  cpSync(committedFolder, reports, { recursive: true });
});
afterEach(() => {
  rmSync(reports, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

const check = () => reportPackage(sqlite, { mode: 'check', scratch, reportFolder: reports, log: quiet });

test('passes when the report matches the built declarations', () => {
  assert.deepEqual(check(), { stale: [], broken: [] });
});

test('fails, naming the package, when the public API differs from the report', () => {
  const path = join(reports, 'sqlite.api.md');
  writeFileSync(path, readFileSync(path, 'utf8').replace('export class SqliteEngine', 'export class RenamedEngine'));
  const { stale } = check();
  assert.equal(stale.length, 1);
  assert.match(stale[0], /^@sessions\/sqlite: the public API differs from /);
});

test('fails when the report is missing, or reports an entry that is not exported', () => {
  rmSync(join(reports, 'sqlite.api.md'));
  writeFileSync(join(reports, 'sqlite-engine.api.md'), 'an entry removed from exports\n');
  const { stale } = check();
  assert.equal(stale.length, 2);
  assert.match(stale.join('\n'), /sqlite-engine\.api\.md reports an entry its exports no longer have/);
  assert.match(stale.join('\n'), /@sessions\/sqlite: has no committed report/);
});

test('update rewrites the report and removes the stale one, after which check passes', () => {
  writeFileSync(join(reports, 'sqlite.api.md'), 'outdated\n');
  writeFileSync(join(reports, 'sqlite-engine.api.md'), 'an entry removed from exports\n');
  assert.deepEqual(reportPackage(sqlite, { mode: 'update', scratch, reportFolder: reports, log: quiet }), { stale: [], broken: [] });
  assert.equal(readFileSync(join(reports, 'sqlite.api.md'), 'utf8'), readFileSync(committed, 'utf8'));
  assert.deepEqual(check(), { stale: [], broken: [] });
});
