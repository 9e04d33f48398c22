// Finds the TypeScript blocks of a Markdown file, with the markers that may precede one:
//
//   <!-- fragment: why the block is not complete on its own
//   declare const sessions: SessionManager;        (TypeScript put in front of the block when it is checked)
//   -->
//   <!-- run -->                                   (also run: in an empty directory, the fragment's names faked)
//   ```ts
//
// Markers sit on the lines right above the fence, in either order; fences may be indented (in a list).

const fence = /^(\s*)```(ts|typescript)\s*$/;
const fragmentStart = /^\s*<!--\s*fragment:(.*)$/;
const runMarker = /^\s*<!--\s*run\s*-->\s*$/;
const closingFence = /^\s*```\s*$/;

/**
 * @typedef {{ line: number, code: string, prelude: string, preludeLine: number, run: boolean, fragment: string | undefined }} CodeBlock
 * `line` is the 1-based line of the block's first code line, `preludeLine` that of the prelude's first line.
 */

/** @returns {CodeBlock[]} */
export function codeBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  let pending = { run: false, fragment: undefined, prelude: '', preludeLine: 0 };
  const reset = () => (pending = { run: false, fragment: undefined, prelude: '', preludeLine: 0 });
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (runMarker.test(line)) {
      pending.run = true;
      continue;
    }
    const start = fragmentStart.exec(line);
    if (start) {
      const rest = start[1];
      const closesHere = rest.includes('-->');
      pending.fragment = (closesHere ? rest.slice(0, rest.indexOf('-->')) : rest).trim();
      pending.preludeLine = index + 2;
      const body = [];
      if (!closesHere) {
        while (++index < lines.length && !lines[index].includes('-->')) body.push(lines[index]);
        if (index >= lines.length) throw new Error(`line ${pending.preludeLine - 1}: a fragment marker is never closed with -->`);
        const tail = lines[index].slice(0, lines[index].indexOf('-->'));
        if (tail.trim()) body.push(tail);
      }
      pending.prelude = body.join('\n');
      continue;
    }
    const opened = fence.exec(line);
    if (!opened) {
      // A marker applies only to the block right below it.
      reset();
      if (/^\s*```/.test(line)) index = skipFence(lines, index);
      continue;
    }
    const firstCodeLine = index + 2;
    const body = [];
    // A block indented in a list: its lines lose the fence's indentation.
    const indent = opened[1].length;
    while (++index < lines.length && !closingFence.test(lines[index])) body.push(lines[index].slice(Math.min(indent, lines[index].search(/\S|$/))));
    blocks.push({ line: firstCodeLine, code: body.join('\n'), ...pending });
    reset();
  }
  return blocks;
}

/** Skips a non-TypeScript fenced block, so a ```ts line shown inside it is not taken for a block. */
function skipFence(lines, index) {
  while (++index < lines.length && !closingFence.test(lines[index]));
  return index;
}
