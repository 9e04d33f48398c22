import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (this file is scripts/release/workspace.mjs). */
export const root = new URL('../../', import.meta.url).pathname;

function readManifest(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** Every workspace package: { dir, manifest }. */
export function workspacePackages() {
  return ['packages', 'apps'].flatMap((parent) =>
    readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json')))
      .map((entry) => {
        const dir = join(root, parent, entry.name);
        return { dir, manifest: readManifest(dir) };
      }),
  );
}

/** The packages that are published: not `private`. */
export function publishablePackages() {
  return workspacePackages().filter(({ manifest }) => manifest.private !== true);
}

/**
 * The third-party packages an application needs beside ours (the peer dependencies that are not @sessions/*), at the
 * range the workspace tests against (its devDependencies), else the peer range.
 */
export function thirdPartyPeers(packages) {
  const ranges = {};
  for (const { manifest } of packages) {
    for (const [name, peerRange] of Object.entries(manifest.peerDependencies ?? {})) {
      if (name.startsWith('@sessions/') || ranges[name]) continue;
      ranges[name] = manifest.devDependencies?.[name] ?? peerRange;
    }
  }
  return ranges;
}

/** The root's devDependency range for a tool (typescript, @types/node), so the outsider's project uses the same. */
export function rootDevRange(name) {
  return readManifest(root).devDependencies[name];
}
