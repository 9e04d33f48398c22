import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.mjs';
import { root } from './workspace.mjs';

/** The README's quick start: its first TypeScript block. */
export function quickStartFromReadme() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```ts block for the quick start');
  return block;
}

// The one thing the quick start leaves to the reader, and a check that it did what it says.
const completion = `
async function callYourModel(history: readonly unknown[], options: { signal: AbortSignal }): Promise<string> {
  options.signal.throwIfAborted();
  return \`a reply after \${history.length} earlier messages\`;
}

const stored = (await sessions.messages(key)).map(({ role, content }) => [role, content]);
const expected = [['user', 'Hi!'], ['assistant', 'a reply after 0 earlier messages']];
if (JSON.stringify(stored) !== JSON.stringify(expected)) throw new Error(\`the quick start stored \${JSON.stringify(stored)}\`);
await sessions.engine.close();
console.log('quick start: stored', stored.length, 'messages');
`;

// Every published entry point, so that each package's declarations are checked too, not only core's.
function importsOf(entryPoints) {
  return entryPoints
    .map((specifier, index) => `import type * as entry${index} from '${specifier}';\nexport type Entry${index} = typeof entry${index};\n`)
    .join('');
}

/**
 * Writes the quick start into the npm project at `dir`, type-checks it (and every published entry point) with
 * `skipLibCheck: false` as a strict outsider would, compiles it, and runs it there.
 */
export function runQuickStart(dir, entryPoints) {
  writeFileSync(join(dir, 'quick-start.ts'), `${quickStartFromReadme()}${completion}`);
  writeFileSync(join(dir, 'entry-points.ts'), importsOf(entryPoints));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: false,
      types: ['node'],
      outDir: 'build',
    },
    files: ['quick-start.ts', 'entry-points.ts'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir });
  run(process.execPath, ['build/quick-start.js'], { cwd: dir });
}
