// An outsider's project in a temporary directory: its node_modules holds every @sessions/* library of packages/
// (linked to the workspace's built package, so imports go through its `exports` to dist; the private test tooling
// too, so that its README is checked like the others) and the third-party packages those depend on or peer on, as an
// application that installed them would have.
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { root, workspacePackages } from '../release/workspace.mjs';

function readManifest(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

function link(nodeModules, name, target) {
  const path = join(nodeModules, name);
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

/** Creates the project's package.json and node_modules in `dir`. */
export function outsiderProject(dir) {
  const nodeModules = join(dir, 'node_modules');
  const packages = workspacePackages().filter(({ dir: packageDir }) => packageDir.startsWith(join(root, 'packages')));
  for (const { dir: packageDir, manifest } of packages) link(nodeModules, manifest.name, packageDir);
  // Third-party packages: the root's devDependencies first (tools the samples use beside ours: an AI SDK provider),
  // then what the libraries and the apps use (an app's README shows app code: React hooks, its server's imports).
  const apps = workspacePackages().filter(({ dir: packageDir }) => packageDir.startsWith(join(root, 'apps')));
  for (const { dir: packageDir, manifest } of [{ dir: root, manifest: { devDependencies: readManifest(root).devDependencies } }, ...packages, ...apps]) {
    const names = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.devDependencies });
    for (const name of names.filter((name) => !name.startsWith('@sessions/'))) {
      const installed = join(packageDir, 'node_modules', name);
      if (existsSync(installed)) link(nodeModules, name, realpathSync(installed));
    }
  }
  // An application installs `@openai/agents`, which re-exports `@openai/agents-core` (the bridge's peer, the one the
  // workspace has) with the OpenAI provider set up: the same Agent and run.
  const agentsCore = join(nodeModules, '@openai', 'agents-core');
  if (existsSync(agentsCore)) link(nodeModules, '@openai/agents', realpathSync(agentsCore));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'readme-code', private: true, type: 'module' }, null, 2)}\n`);
}
