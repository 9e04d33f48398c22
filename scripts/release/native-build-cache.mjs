import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './run.mjs';

// better-sqlite3 downloads a prebuilt binary, or compiles for ~90 s where it cannot (a closed network). Its
// installer, prebuild-install, also takes the binary from a local folder (`<package>_local_prebuilds`): we keep the
// one compiled by an earlier run there, named as prebuild-install names it (by version, Node ABI, platform, arch),
// so the next plain `npm install` unpacks it instead of compiling.
const NATIVE_PACKAGES = ['better-sqlite3'];

/** Where the binaries are kept between runs: outside the repository, so that a fresh clone still finds them. */
export const prebuildsDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sessions-release-check', 'prebuilds');

/** The environment variables that point each native package's installer at the kept binaries. */
export function localPrebuildsEnv() {
  return Object.fromEntries(NATIVE_PACKAGES.map((name) => [`npm_config_${name.replace(/[^a-zA-Z0-9]/g, '_')}_local_prebuilds`, prebuildsDir]));
}

/** After an install in `app`: keeps each native package's compiled binary that is not kept yet. */
export function keepNativeBuilds(app) {
  for (const name of NATIVE_PACKAGES) {
    const dir = join(app, 'node_modules', name);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const requireFromPackage = createRequire(join(dir, 'package.json'));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const rc = requireFromPackage('prebuild-install/rc')(pkg);
    const url = requireFromPackage('prebuild-install/util').getDownloadUrl({ ...rc, pkg });
    const kept = join(prebuildsDir, url.slice(url.lastIndexOf('/') + 1));
    const binary = join('build', 'Release', `${name.replace(/-/g, '_')}.node`);
    if (existsSync(kept) || !existsSync(join(dir, binary))) continue;
    mkdirSync(prebuildsDir, { recursive: true });
    run('tar', ['-czf', `${kept}.tmp`, '-C', dir, binary]);
    renameSync(`${kept}.tmp`, kept);
  }
}
