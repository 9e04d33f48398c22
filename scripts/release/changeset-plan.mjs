import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pnpm } from './run.mjs';
import { publishablePackages, root, workspacePackages } from './workspace.mjs';

/**
 * Reads the release plan of the pending changesets (`changeset status --output`) and returns what is wrong with
 * it: a bump to 1.0.0 or later (a 1.0 is a decision, not a side effect of a peer range), or any bump of a private
 * package.
 */
export function checkReleasePlan() {
  const scratch = mkdtempSync(join(tmpdir(), 'sessions-changeset-status-'));
  try {
    const output = join(scratch, 'status.json');
    pnpm(['exec', 'changeset', 'status', '--output', output], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8'));
    const published = publishablePackages().map(({ manifest }) => manifest.name);
    return [...problemsIn(JSON.parse(readFileSync(output, 'utf8'))), ...problemsInFixedGroup(config, published)];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The problems in a release plan as `changeset status --output` writes it. */
export function problemsIn(plan) {
  const privateNames = new Set(
    workspacePackages()
      .filter(({ manifest }) => manifest.private === true)
      .map(({ manifest }) => manifest.name),
  );
  const problems = [];
  for (const release of plan.releases) {
    if (release.type === 'none') continue;
    if (privateNames.has(release.name)) problems.push(`${release.name} is private but would be released (${release.type}, ${release.newVersion})`);
    else if (Number(release.newVersion.split('.')[0]) >= 1)
      problems.push(`${release.name} would go ${release.oldVersion} -> ${release.newVersion} (${release.type})`);
  }
  for (const release of plan.releases) console.log(`  ${release.name}: ${release.oldVersion} -> ${release.newVersion} (${release.type})`);
  return problems;
}

/** Every published package must be in the one `fixed` group, so that they keep one version and their peer ranges hold. */
export function problemsInFixedGroup(config, published) {
  const group = new Set(config.fixed?.[0] ?? []);
  return published.filter((name) => !group.has(name)).map((name) => `${name} is published but not in the fixed group of .changeset/config.json`);
}
