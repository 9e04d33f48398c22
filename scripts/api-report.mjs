#!/usr/bin/env node
// API reports: one API Extractor report per export entry of every published package, committed under the package's
// etc/ folder (`etc/core.api.md` for `.`, `etc/core-testing.api.md` for `./testing`), so that every change to what
// a package exports shows up in review as a diff of its report.
//
//   node scripts/api-report.mjs update   rewrite the reports from the built declarations (dist/*.d.ts)
//   node scripts/api-report.mjs check    fail, naming the package and entry, when a report differs from dist
//
// Both read dist, so build first (`pnpm api:update` and `pnpm api:check` do).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportPackage } from './api-report/report-package.mjs';
import { publishablePackages } from './release/workspace.mjs';

const mode = process.argv[2];
if (mode !== 'update' && mode !== 'check') {
  console.error('usage: node scripts/api-report.mjs update|check');
  process.exit(2);
}

const stale = [];
const broken = [];
for (const pkg of publishablePackages()) {
  const scratch = mkdtempSync(join(tmpdir(), 'sessions-api-report-'));
  try {
    const result = reportPackage(pkg, { mode, scratch });
    stale.push(...result.stale);
    broken.push(...result.broken);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
for (const problem of broken) console.error(`api-report: ${problem}`);
if (stale.length > 0) {
  console.error(`\napi:check failed: the public API changed without its report being updated.\n${stale.map((line) => `  - ${line}`).join('\n')}`);
  console.error('If the change is intended, run `pnpm api:update` and commit the reports with it, so the change is reviewed.');
}
process.exit(broken.length > 0 || stale.length > 0 ? 1 : 0);
