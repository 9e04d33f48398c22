#!/usr/bin/env node
// API reports: one API Extractor report per export entry of every published package, committed under the package's
// etc/ folder (`etc/core.api.md` for `.`, `etc/core-testing.api.md` for `./testing`), so that every change to what
// a package exports shows up in review as a diff of its report.
//
//   node scripts/api-report.mjs update   rewrite the reports from the built declarations (dist/*.d.ts)
//   node scripts/api-report.mjs check    fail, naming the package and entry, when a report differs from dist
//
// Both read dist, so build first (`pnpm api:update` and `pnpm api:check` do).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CompilerState, Extractor, ExtractorConfig, ExtractorMessageCategory } from '@microsoft/api-extractor';
import { publishablePackages, root } from './release/workspace.mjs';

const mode = process.argv[2];
if (mode !== 'update' && mode !== 'check') {
  console.error('usage: node scripts/api-report.mjs update|check');
  process.exit(2);
}

/** The export entries that carry types: `[subpath, declaration file]`, `./package.json` and the like left out. */
function typedEntries(manifest) {
  return Object.entries(manifest.exports ?? {})
    .map(([subpath, target]) => [subpath, typeof target === 'object' && target !== null ? target.types : undefined])
    .filter(([, types]) => typeof types === 'string');
}

/** `core` for `.`, `core-testing` for `./testing`, `core-engine` for `./engine`. */
function reportName(manifest, subpath) {
  const unscoped = manifest.name.replace(/^@[^/]+\//, '');
  return subpath === '.' ? unscoped : `${unscoped}-${subpath.slice(2).replaceAll('/', '-')}`;
}

// Every message goes into the report file instead of the console: a warning there is part of the reviewed API (an
// un-exported type used by an exported one shows as `ae-forgotten-export`), and it never fails the build by itself.
// Left out: TSDoc syntax and missing docs (the linter's business; their source line numbers would make every edit
// churn the report) and release tags (@public/@beta are not used here).
const quietly = { logLevel: 'none', addToApiReportFile: true };
const omitted = { logLevel: 'none', addToApiReportFile: false };
const messages = {
  compilerMessageReporting: { default: { logLevel: 'warning' } },
  extractorMessageReporting: { default: quietly, 'ae-missing-release-tag': omitted, 'ae-undocumented': omitted },
  tsdocMessageReporting: { default: omitted },
};

function prepare(dir, manifest, subpath, types, reportTempFolder) {
  return ExtractorConfig.prepare({
    configObject: {
      projectFolder: dir,
      mainEntryPointFilePath: join(dir, types),
      compiler: { tsconfigFilePath: join(dir, 'tsconfig.build.json') },
      apiReport: { enabled: true, reportFileName: reportName(manifest, subpath), reportFolder: join(dir, 'etc'), reportTempFolder },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages,
    },
    configObjectFullPath: join(dir, 'api-extractor.json'),
    packageJsonFullPath: join(dir, 'package.json'),
    packageJson: manifest,
  });
}

function showDiff(committed, generated) {
  try {
    execFileSync('git', ['diff', '--no-index', '--no-color', '--', committed, generated], { stdio: ['ignore', 'inherit', 'ignore'] });
  } catch {
    // git diff exits 1 when the files differ: that is the expected case here.
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'sessions-api-report-'));
const stale = [];
const broken = [];
try {
  for (const { dir, manifest } of publishablePackages()) {
    const entries = typedEntries(manifest);
    const missing = entries.filter(([, types]) => !existsSync(join(dir, types)));
    if (missing.length > 0) {
      broken.push(`${manifest.name}: ${missing.map(([, types]) => types).join(', ')} missing; run \`pnpm build\` first`);
      continue;
    }
    const configs = entries.map(([subpath, types]) => [subpath, prepare(dir, manifest, subpath, types, join(scratch, reportName(manifest, '.')))]);
    // A report whose entry is gone (an export removed from package.json) is stale too.
    const expected = new Set(entries.map(([subpath]) => `${reportName(manifest, subpath)}.api.md`));
    const etc = join(dir, 'etc');
    for (const file of existsSync(etc) ? readdirSync(etc).filter((name) => name.endsWith('.api.md') && !expected.has(name)) : []) {
      const shown = relative(root, join(etc, file));
      if (mode === 'update') {
        rmSync(join(etc, file));
        console.log(`removed   ${shown}  (no such entry in ${manifest.name}'s exports)`);
      } else {
        stale.push(`${manifest.name}: ${shown} reports an entry its exports no longer have`);
      }
    }
    // One TypeScript program per package, shared by its entries: most of the time goes into building it.
    const compilerState = CompilerState.create(configs[0][1], { additionalEntryPoints: configs.map(([, config]) => config.mainEntryPointFilePath) });
    for (const [subpath, config] of configs) {
      const entry = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      mkdirSync(config.reportFolder, { recursive: true });
      const result = Extractor.invoke(config, {
        localBuild: mode === 'update',
        compilerState,
        // API Extractor's own advice on a changed report names its CLI; this script says what to run instead.
        messageCallback: (message) => {
          if (message.category === ExtractorMessageCategory.Console) message.handled = true;
        },
      });
      const { reportFilePath, reportTempFilePath } = config.reportConfigs.map((report) => ({
        reportFilePath: join(config.reportFolder, report.fileName),
        reportTempFilePath: join(config.reportTempFolder, report.fileName),
      }))[0];
      if (result.errorCount > 0) {
        broken.push(`${entry}: API Extractor reported ${result.errorCount} error(s) (above)`);
        continue;
      }
      const shown = relative(root, reportFilePath);
      if (mode === 'update') {
        console.log(`${result.apiReportChanged ? 'updated  ' : 'unchanged'} ${shown}  (${entry})`);
        continue;
      }
      const committed = existsSync(reportFilePath) ? readFileSync(reportFilePath, 'utf8') : undefined;
      if (committed === readFileSync(reportTempFilePath, 'utf8')) {
        console.log(`ok ${shown}  (${entry})`);
        continue;
      }
      const problem = committed === undefined ? `has no committed report ${shown}` : `the public API differs from ${shown}`;
      stale.push(`${entry}: ${problem}`);
      console.log(`\n${entry}: ${problem}${committed === undefined ? '' : ':'}`);
      if (committed !== undefined) showDiff(reportFilePath, reportTempFilePath);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

for (const problem of broken) console.error(`api-report: ${problem}`);
if (stale.length > 0) {
  console.error(`\napi:check failed: the public API changed without its report being updated.\n${stale.map((line) => `  - ${line}`).join('\n')}`);
  console.error('If the change is intended, run `pnpm api:update` and commit the reports with it, so the change is reviewed.');
}
process.exit(broken.length > 0 || stale.length > 0 ? 1 : 0);
