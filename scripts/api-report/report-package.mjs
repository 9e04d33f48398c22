// One package's API reports: API Extractor run on each export entry's built declarations, compared with (check) or
// written to (update) the reports committed in the package's etc/ folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CompilerState, Extractor, ExtractorConfig, ExtractorMessageCategory } from '@microsoft/api-extractor';
import { root } from '../release/workspace.mjs';

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

/** The package's build configuration (compiler options for reading its declarations). */
function buildTsconfig(dir) {
  const build = join(dir, 'tsconfig.build.json');
  return existsSync(build) ? build : join(dir, 'tsconfig.json');
}

function prepare(dir, manifest, subpath, types, reportFolder, scratch) {
  return ExtractorConfig.prepare({
    configObject: {
      projectFolder: dir,
      mainEntryPointFilePath: join(dir, types),
      compiler: { tsconfigFilePath: buildTsconfig(dir) },
      apiReport: { enabled: true, reportFileName: reportName(manifest, subpath), reportFolder, reportTempFolder: join(scratch, reportName(manifest, '.')) },
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

/**
 * Checks or updates the reports of one package.
 * @param {{ dir: string, manifest: Record<string, any> }} pkg
 * @param {{ mode: 'check' | 'update', scratch: string, reportFolder?: string, log?: (line: string) => void }} options
 *   scratch: an empty temporary folder for the generated reports; reportFolder: where the committed ones are
 * @returns {{ stale: string[], broken: string[] }} stale: reports that differ (check); broken: what could not be checked
 */
export function reportPackage({ dir, manifest }, { mode, scratch, reportFolder = join(dir, 'etc'), log = console.log }) {
  const stale = [];
  const broken = [];
  const entries = typedEntries(manifest);
  const missing = entries.filter(([, types]) => !existsSync(join(dir, types)));
  if (missing.length > 0) {
    broken.push(`${manifest.name}: ${missing.map(([, types]) => types).join(', ')} missing; run \`pnpm build\` first`);
    return { stale, broken };
  }
  const configs = entries.map(([subpath, types]) => [subpath, prepare(dir, manifest, subpath, types, reportFolder, scratch)]);
  // A report whose entry is gone (an export removed from package.json) is stale too.
  const expected = new Set(entries.map(([subpath]) => `${reportName(manifest, subpath)}.api.md`));
  for (const file of existsSync(reportFolder) ? readdirSync(reportFolder).filter((name) => name.endsWith('.api.md') && !expected.has(name)) : []) {
    const shown = relative(root, join(reportFolder, file));
    if (mode === 'update') {
      rmSync(join(reportFolder, file));
      log(`removed   ${shown}  (no such entry in ${manifest.name}'s exports)`);
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
      log(`${result.apiReportChanged ? 'updated  ' : 'unchanged'} ${shown}  (${entry})`);
      continue;
    }
    const committed = existsSync(reportFilePath) ? readFileSync(reportFilePath, 'utf8') : undefined;
    if (committed === readFileSync(reportTempFilePath, 'utf8')) {
      log(`ok ${shown}  (${entry})`);
      continue;
    }
    const problem = committed === undefined ? `has no committed report ${shown}` : `the public API differs from ${shown}`;
    stale.push(`${entry}: ${problem}`);
    log(`\n${entry}: ${problem}${committed === undefined ? '' : ':'}`);
    if (committed !== undefined) showDiff(reportFilePath, reportTempFilePath);
  }
  return { stale, broken };
}
