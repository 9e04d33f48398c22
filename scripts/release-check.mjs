#!/usr/bin/env node
// release:check: what we would publish, checked as an outsider gets it. Fails when
//  - the pending changesets would release a package at 1.0.0 or later, or release a private package;
//  - a packed tarball keeps a `workspace:` range, lacks its LICENSE, or has source maps without their sources;
//  - the tarballs, installed with plain `npm install` into an empty project, do not type-check (skipLibCheck: false)
//    or run the README's quick start, or createEngine cannot find an installed adapter from a process started in `/`
//    (in that npm install, and in a strict pnpm install without @sessions/sqlite, which must name it as missing);
//  - an example under examples/ fails its own `npm test` against the tarballs.
//
//   node scripts/release-check.mjs [--examples <dir>] [--keep]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReleasePlan } from './release/changeset-plan.mjs';
import { checkCreateEngineFromRoot, pnpmProjectWithoutSqlite } from './release/create-engine-check.mjs';
import { examplesIn, testExample } from './release/examples.mjs';
import { npmProject } from './release/npm-project.mjs';
import { packPackages } from './release/pack-packages.mjs';
import { writePlaceholderExample } from './release/placeholder-example.mjs';
import { runQuickStart } from './release/quick-start.mjs';
import { pnpm, run, step } from './release/run.mjs';
import { publishablePackages, root, rootDevRange, thirdPartyPeers } from './release/workspace.mjs';

const args = process.argv.slice(2);
const examplesDir = args.includes('--examples') ? args[args.indexOf('--examples') + 1] : join(root, 'examples');
const keep = args.includes('--keep');

const scratch = mkdtempSync(join(tmpdir(), 'sessions-release-check-'));
const problems = [];
let failed = false;
try {
  await step("release:check's own tests", () =>
    run(process.execPath, ['--test', join(root, 'scripts', 'release', 'release-check.test.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );

  problems.push(...(await step('the release plan of the pending changesets', checkReleasePlan)));

  await step('build', () => pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root }));

  const packages = publishablePackages();
  const { tarballs, problems: packProblems } = await step('pack every published package with pnpm', () => packPackages(packages, join(scratch, 'tarballs')));
  problems.push(...packProblems);

  const app = join(scratch, 'app');
  await step('npm install the tarballs into an empty project', () =>
    npmProject(app, {
      dependencies: { ...Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`])), ...thirdPartyPeers(packages) },
      // @types/json-schema: the AI SDK's declarations import it without depending on it (seen with skipLibCheck: false).
      devDependencies: { typescript: rootDevRange('typescript'), '@types/node': rootDevRange('@types/node'), '@types/json-schema': '^7.0.15' },
    }),
  );

  const entryPoints = packages.flatMap(({ manifest }) =>
    Object.keys(manifest.exports ?? { '.': null })
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`)),
  );
  await step("type-check and run the README's quick start there", () => runQuickStart(app, entryPoints));

  await step('npm (hoisted): createEngine for every scheme from a process started in /', () => checkCreateEngineFromRoot(app));

  await step('pnpm (strict), without @sessions/sqlite: createEngine from /', () => {
    const { pg, mysql2, ioredis } = thirdPartyPeers(packages);
    const strictApp = join(scratch, 'pnpm-app');
    pnpmProjectWithoutSqlite(strictApp, tarballs, { pg, mysql2, ioredis });
    checkCreateEngineFromRoot(strictApp, { 'sqlite:': '@sessions/sqlite' });
  });

  let examples = examplesIn(examplesDir);
  if (examples.length === 0) {
    // Until the repository has an example, a throwaway one keeps the loop itself tested.
    const dir = join(scratch, 'placeholder', 'placeholder-adapter');
    writePlaceholderExample(dir, rootDevRange('vitest'));
    examples = [{ name: 'placeholder-adapter (no examples/ yet)', dir }];
  }
  for (const example of examples) {
    await step(`example ${example.name}: npm test against the tarballs`, () => testExample(example, tarballs, join(scratch, 'examples')));
  }
} catch (error) {
  failed = true;
  console.error(`\nrelease:check: ${error.message}`);
} finally {
  if (keep) console.log(`release:check: kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

for (const problem of problems) console.error(`release:check: ${problem}`);
if (failed || problems.length > 0) process.exit(1);
console.log('\nrelease:check: passed');
