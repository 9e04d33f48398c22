import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepNativeBuilds, localPrebuildsEnv } from './native-build-cache.mjs';
import { run } from './run.mjs';

/**
 * The environment for `npm install` as an outsider runs it: better-sqlite3 compiles from source where its prebuilt
 * binary cannot be downloaded, and node-gyp then needs Node's headers.
 */
export function npmEnv() {
  const env = { ...process.env, ...localPrebuildsEnv() };
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  // Nothing from the workspace may leak in: no NODE_PATH, no pnpm settings meant for the monorepo.
  delete env.NODE_PATH;
  for (const key of Object.keys(env)) if (key.startsWith('npm_package_') || key.startsWith('pnpm_')) delete env[key];
  return env;
}

/**
 * Makes `dir` an application that depends on `dependencies` (name -> range or `file:` tarball) and installs it with
 * plain `npm install`. `--prefer-offline` reuses npm's cache (~/.npm) for what it already holds.
 */
export function npmProject(dir, { dependencies, devDependencies = {}, scripts = {} }) {
  mkdirSync(dir, { recursive: true });
  const manifest = { name: 'outsider-app', version: '0.0.0', private: true, type: 'module', scripts, dependencies, devDependencies };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  npmInstall(dir);
}

/** `npm install` in `dir`, quietly, reusing the cache. */
export function npmInstall(dir) {
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: npmEnv() });
  keepNativeBuilds(dir);
}
