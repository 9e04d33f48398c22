// The checks of release:check catch what they are meant to: `node --test scripts/release/` (release:check runs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { problemsIn, problemsInFixedGroup } from './changeset-plan.mjs';
import { problemsInTarball } from './pack-packages.mjs';
import { root } from './workspace.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'sessions-release-check-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('the release plan', () => {
  const release = (name, type, oldVersion, newVersion) => ({ name, type, oldVersion, newVersion });

  it('passes 0.x minors and patches', () => {
    assert.deepEqual(
      problemsIn({ releases: [release('@sessions/core', 'minor', '0.1.0', '0.2.0'), release('@sessions/sqlite', 'patch', '0.1.0', '0.1.1')] }),
      [],
    );
  });

  it('refuses any bump to 1.0.0 or later', () => {
    const problems = problemsIn({ releases: [release('@sessions/sqlite', 'major', '0.1.0', '1.0.0')] });
    assert.deepEqual(problems, ['@sessions/sqlite would go 0.1.0 -> 1.0.0 (major)']);
  });

  it('refuses a published package outside the fixed group', () => {
    const config = { fixed: [['@sessions/core', '@sessions/sqlite']] };
    assert.deepEqual(problemsInFixedGroup(config, ['@sessions/core', '@sessions/sqlite']), []);
    assert.deepEqual(problemsInFixedGroup(config, ['@sessions/core', '@sessions/new']), [
      '@sessions/new is published but not in the fixed group of .changeset/config.json',
    ]);
  });

  it('refuses any release of a private package', () => {
    const problems = problemsIn({ releases: [release('@sessions/chat', 'patch', '0.1.0', '0.1.1'), release('@sessions/chat', 'none', '0.1.0', '0.1.0')] });
    assert.deepEqual(problems, ['@sessions/chat is private but would be released (patch, 0.1.1)']);
  });
});

describe('a packed tarball', () => {
  function tarball(name, { manifest, files }) {
    const dir = join(scratch, name, 'package');
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '0.1.0', license: 'MIT', ...manifest }));
    for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
    const file = join(scratch, `${name}.tgz`);
    spawnSync('tar', ['-czf', file, '-C', join(scratch, name), 'package']);
    return file;
  }

  it('passes with real ranges, its LICENSE and maps carrying their sources', () => {
    const file = tarball('good', {
      manifest: { peerDependencies: { '@sessions/core': '>=0.1.0 <1.0.0' } },
      files: { LICENSE: 'MIT License\n', 'dist/index.js.map': JSON.stringify({ sources: ['../src/index.ts'], sourcesContent: ['export {};\n'] }) },
    });
    assert.deepEqual(problemsInTarball('good', file), []);
  });

  it('fails on a workspace: range, a missing LICENSE and a map without its sources', () => {
    const file = tarball('bad', {
      manifest: { peerDependencies: { '@sessions/core': 'workspace:^' } },
      files: { 'dist/index.js.map': JSON.stringify({ sources: ['../src/index.ts'] }) },
    });
    const problems = problemsInTarball('bad', file);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0], /peerDependencies\.@sessions\/core is still "workspace:\^"/);
    assert.match(problems[1], /no LICENSE/);
    assert.match(problems[2], /dist\/index\.js\.map does not carry its sources/);
  });
});

describe('the prepack guard', () => {
  const guard = join(root, 'scripts', 'check-packable.mjs');
  function pack(dependencies, agent) {
    const dir = mkdtempSync(join(scratch, 'pkg-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@sessions/x', version: '0.1.0', peerDependencies: dependencies }));
    return spawnSync(process.execPath, [guard], { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_user_agent: agent } });
  }

  it('refuses npm pack of a manifest with workspace: ranges, saying to use pnpm', () => {
    const result = pack({ '@sessions/core': 'workspace:^' }, 'npm/11.19.1 node/v20.20.2 linux x64');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /refusing to pack with npm\/11\.19\.1/);
    assert.match(result.stderr, /peerDependencies\.@sessions\/core: workspace:\^/);
    assert.match(result.stderr, /pnpm publish/);
  });

  it('lets pnpm pack it (pnpm rewrites the ranges) and lets npm pack a manifest without them', () => {
    assert.equal(pack({ '@sessions/core': 'workspace:^' }, 'pnpm/10.34.8 npm/? node/v20.20.2 linux x64').status, 0);
    assert.equal(pack({ '@sessions/core': '>=0.1.0 <1.0.0' }, 'npm/11.19.1 node/v20.20.2 linux x64').status, 0);
  });
});
