import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pnpm, run } from './run.mjs';
import { root } from './workspace.mjs';

/**
 * Packs every package with pnpm (which rewrites `workspace:` ranges) into `destination` and checks each tarball as an
 * outsider gets it. Returns { problems, tarballs: { name: path } }.
 */
export function packPackages(packages, destination) {
  const tarballs = {};
  const problems = [];
  const filters = packages.flatMap(({ manifest }) => ['--filter', manifest.name]);
  pnpm(['--recursive', ...filters, 'pack', '--pack-destination', destination], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  for (const { manifest } of packages) {
    const file = join(destination, `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
    if (!existsSync(file)) throw new Error(`pnpm pack wrote no ${file}`);
    tarballs[manifest.name] = file;
    problems.push(...problemsInTarball(manifest.name, file));
  }
  return { tarballs, problems };
}

/** What is wrong with one packed tarball, as an outsider would find it. */
export function problemsInTarball(name, file) {
  const unpacked = mkdtempSync(join(tmpdir(), 'sessions-tarball-'));
  try {
    run('tar', ['-xzf', file, '-C', unpacked]);
    const dir = join(unpacked, 'package');
    const problems = [];
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
      for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
        if (String(range).startsWith('workspace:')) problems.push(`${name}: the packed ${field}.${dependency} is still "${range}"`);
      }
    }
    if (!existsSync(join(dir, 'LICENSE')) || !readFileSync(join(dir, 'LICENSE'), 'utf8').startsWith(`${manifest.license} License`)) {
      problems.push(`${name}: no LICENSE file for its "${manifest.license}" license in the tarball`);
    }
    const maps = readdirSync(dir, { recursive: true }).filter((path) => path.endsWith('.js.map'));
    if (maps.length === 0) problems.push(`${name}: no source maps in the tarball`);
    for (const path of maps) {
      const map = JSON.parse(readFileSync(join(dir, path), 'utf8'));
      const complete =
        Array.isArray(map.sourcesContent) &&
        map.sourcesContent.length === map.sources.length &&
        map.sourcesContent.every((text) => typeof text === 'string' && text.length > 0);
      if (!complete) problems.push(`${name}: ${path} does not carry its sources (sourcesContent), so stack traces point at files the tarball lacks`);
    }
    return problems;
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
  }
}
