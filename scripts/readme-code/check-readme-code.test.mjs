// The README checker catches what it is for: a sample that disagrees with the built packages, a quick start that
// fails when run, and a fragment marker's declarations mapped back to the README's lines.
//   node --test scripts/readme-code/check-readme-code.test.mjs   (after `pnpm build`)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { codeBlocks } from './extract.mjs';
import { outsiderProject } from './project.mjs';
import { runBlock } from './run-block.mjs';
import { typecheckBlocks } from './typecheck.mjs';

// The drift issue 13 names: toModelMessages returns a Promise, so `.map` on its result is a type error.
const readme = `# sample

<!-- fragment: stored messages
import type { Message } from '@sessions/core';
declare const stored: Message[];
-->
\`\`\`ts
import { toModelMessages } from '@sessions/ai';

const roles = toModelMessages(stored).map((message) => message.role);
\`\`\`

\`\`\`sh
echo not checked
\`\`\`

<!-- fragment: callYourModel is your model call
declare function callYourModel(history: unknown[], options: { signal: AbortSignal }): Promise<string>;
-->
<!-- run -->
\`\`\`ts
import { createEngine, SessionManager } from '@sessions/core';

const sessions = new SessionManager({ engine: await createEngine('sqlite:./sessions.db') });
await sessions.engine.setup();
const key = { userId: 'alice', sessionId: 'chat_1' };
await sessions.getOrCreate(key);
await sessions.run(key, async ({ history, append, signal }) => {
  await append({ role: 'assistant', content: await callYourModel(history, { signal }) });
});
if ((await sessions.messages(key)).length !== 2) throw new Error('expected two messages');
\`\`\`
`;

let dir;
let result;
const blocks = codeBlocks(readme).map((block, index) => ({ id: `sample-${index}`, readme: 'SAMPLE.md', block }));

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sessions-readme-code-test-'));
  outsiderProject(dir);
  result = typecheckBlocks(dir, blocks);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('finds the ts blocks with their markers, and no others', () => {
  assert.deepEqual(
    blocks.map(({ block }) => [block.line, block.fragment, block.run]),
    [
      [8, 'stored messages', false],
      [22, 'callYourModel is your model call', true],
    ],
  );
  assert.equal(blocks[0].block.preludeLine, 4);
});

test('reports a call on a Promise as if it were an array, at its README line', () => {
  assert.match(result.problems.join('\n'), /SAMPLE\.md:10:\d+ TS2339 Property 'map' does not exist on type 'Promise<ModelMessage\[\]>'/);
});

test('runs a block marked run, and reports its failure', () => {
  // The block expects two messages but appends one: the run must fail, naming the error.
  const why = runBlock(result.compiled.get('sample-1'));
  assert.match(why ?? 'it passed', /expected two messages/);
});

test('takes a block indented in a list, without its indentation, and skips a ts fence shown inside another block', () => {
  const listed = codeBlocks('- step\n\n  <!-- run -->\n  ```ts\n  const a = 1;\n    const b = a;\n  ```\n\n````md\n```md\n```ts\nnot code\n```\n````\n');
  assert.deepEqual(
    listed.map(({ line, code, run }) => ({ line, code, run })),
    [{ line: 5, code: 'const a = 1;\n  const b = a;', run: true }],
  );
});
