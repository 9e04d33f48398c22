#!/usr/bin/env node
// Docs that cannot drift: every ```ts block of the READMEs, the packages' guides and DEVELOPERS.md is type-checked as an outsider's module
// importing the built @sessions/* packages, and the blocks marked `<!-- run -->` (the quick starts) are run in an
// empty directory. A block that is a fragment says so with a `<!-- fragment: ... -->` marker holding the declarations
// it assumes (scripts/readme-code/extract.mjs describes the markers).
//
//   node scripts/check-readme-code.mjs [--keep]      (build first: `pnpm docs:check` does)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeBlocks } from './readme-code/extract.mjs';
import { outsiderProject } from './readme-code/project.mjs';
import { runBlock } from './readme-code/run-block.mjs';
import { typecheckBlocks } from './readme-code/typecheck.mjs';
import { root } from './release/workspace.mjs';

const keep = process.argv.includes('--keep');
const started = performance.now();

/** The root README and DEVELOPERS.md, every package's Markdown (README and guides, not its CHANGELOG), apps' READMEs. */
function markdownFiles() {
  const packageDocs = readdirSync(join(root, 'packages')).flatMap((name) =>
    readdirSync(join(root, 'packages', name))
      .filter((file) => file.endsWith('.md') && file !== 'CHANGELOG.md')
      .map((file) => join('packages', name, file)),
  );
  const appReadmes = readdirSync(join(root, 'apps')).map((name) => join('apps', name, 'README.md'));
  return ['README.md', 'DEVELOPERS.md', ...packageDocs, ...appReadmes].filter((file) => existsSync(join(root, file)));
}

const blocks = markdownFiles().flatMap((readme) =>
  codeBlocks(readFileSync(join(root, readme), 'utf8')).map((block) => ({
    id: `${readme.replace(/\.md$/, '').replaceAll('/', '-')}-L${block.line}`,
    readme,
    block,
  })),
);

const dir = mkdtempSync(join(tmpdir(), 'sessions-readme-code-'));
let failed = false;
try {
  outsiderProject(dir);
  const { problems, compiled } = typecheckBlocks(dir, blocks);
  for (const problem of problems) console.error(problem);
  failed = problems.length > 0;
  const runnable = blocks.filter(({ block }) => block.run);
  for (const { id, readme, block } of runnable) {
    const why = runBlock(compiled.get(id));
    if (why) {
      failed = true;
      console.error(`${readme}:${block.line}: the block marked \`run\` failed: ${why}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `README code: ${blocks.length} blocks type-checked (${blocks.filter(({ block }) => block.fragment !== undefined).length} fragments), ${runnable.length} run, ${problems.length} type errors, in ${seconds} s`,
  );
} finally {
  if (keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
