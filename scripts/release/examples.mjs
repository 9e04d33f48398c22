import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { npmEnv, npmInstall } from './npm-project.mjs';
import { run } from './run.mjs';

/** The example packages under `examplesDir` (each folder with a package.json), as { name, dir }. */
export function examplesIn(examplesDir) {
  if (!existsSync(examplesDir)) return [];
  return readdirSync(examplesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(examplesDir, entry.name, 'package.json')))
    .map((entry) => ({ name: entry.name, dir: join(examplesDir, entry.name) }));
}

/**
 * Tests an example exactly as an outsider would: a copy of its folder (no node_modules, no build output), its
 * @sessions/* dependencies pointed at the packed tarballs instead of the registry, `npm install`, `npm test`.
 */
export function testExample(example, tarballs, scratch) {
  const copy = join(scratch, basename(example.dir));
  cpSync(example.dir, copy, { recursive: true, filter: (path) => !/[\\/](node_modules|dist)$/.test(path) });
  const manifestPath = join(copy, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (name.startsWith('@sessions/')) {
        if (!tarballs[name]) throw new Error(`example ${example.name} depends on ${name}, which is not a published package`);
        manifest[field][name] = `file:${tarballs[name]}`;
      }
    }
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  npmInstall(copy);
  run('npm', ['test'], { cwd: copy, env: npmEnv() });
}
