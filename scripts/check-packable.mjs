#!/usr/bin/env node
// The `prepack` guard of every published package: refuses to pack a manifest that still holds `workspace:` ranges
// unless the packer is pnpm, which rewrites them to real ranges in the packed copy. `npm pack` or `npm publish`
// from a package folder would ship `workspace:^` as it is, and nobody outside this repository could install it.
// (release:check also reads the packed manifests themselves.)
import { readFileSync } from 'node:fs';

const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  const left = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) =>
    Object.entries(manifest[field] ?? {})
      .filter(([, range]) => String(range).startsWith('workspace:'))
      .map(([name, range]) => `${field}.${name}: ${range}`),
  );
  if (left.length > 0) {
    console.error(
      `${manifest.name}: refusing to pack with ${agent.split(' ')[0] || 'this tool'}; package.json has workspace: ranges it would ship as they are:\n` +
        left.map((line) => `  ${line}\n`).join('') +
        'Pack and publish with pnpm (pnpm pack, pnpm publish, changeset publish), which rewrites them.',
    );
    process.exit(1);
  }
}
