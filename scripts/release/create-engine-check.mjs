import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { npmEnv } from './npm-project.mjs';
import { pnpm } from './run.mjs';
import { root } from './workspace.mjs';

/**
 * Runs scripts/create-engine-from-anywhere.mjs from inside the application at `app` (so `@sessions/core` resolves as
 * the application's own import does) with `/` as the working directory, as a service manager starts a process.
 * Every scheme must give an engine, except those in `missing` (scheme -> package not installed), which must be an
 * AdapterNotInstalledError naming that package. Throws with the results when not.
 */
export function checkCreateEngineFromRoot(app, missing = {}) {
  const script = join(app, 'create-engine-from-anywhere.mjs');
  copyFileSync(join(root, 'scripts', 'create-engine-from-anywhere.mjs'), script);
  const { stdout, stderr } = spawnSync(process.execPath, [script, '@sessions/core'], { cwd: '/', env: npmEnv(), encoding: 'utf8' });
  let results;
  try {
    results = JSON.parse(stdout);
  } catch {
    throw new Error(`createEngine from /: no results\n${stdout}${stderr}`);
  }
  const wrong = Object.entries(results).filter(([scheme, result]) =>
    missing[scheme] ? result.error?.code !== 'ADAPTER_NOT_INSTALLED' || result.error.packageName !== missing[scheme] : !result.engine,
  );
  if (wrong.length > 0)
    throw new Error(`createEngine from / in ${app}:\n${wrong.map(([scheme, result]) => `  ${scheme} ${JSON.stringify(result)}`).join('\n')}`);
  console.log(
    `  ${Object.entries(results)
      .map(([scheme, result]) => `${scheme} ${result.engine ?? result.error.name}`)
      .join(', ')}`,
  );
}

/**
 * A strict pnpm application (outside any workspace) with the tarballs of core and every server adapter but not
 * @sessions/sqlite: pnpm links core's optional peers only to what the application installed.
 */
export function pnpmProjectWithoutSqlite(dir, tarballs, driverRanges) {
  mkdirSync(dir, { recursive: true });
  const dependencies = { ...driverRanges };
  for (const name of ['@sessions/core', '@sessions/jsonl', '@sessions/postgres', '@sessions/mysql', '@sessions/redis'])
    dependencies[name] = `file:${tarballs[name]}`;
  const manifest = { name: 'outsider-pnpm-app', version: '0.0.0', private: true, type: 'module', dependencies };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  pnpm(['install', '--prefer-offline', '--reporter=silent'], { cwd: dir, env: npmEnv() });
}
