// Type-checks every block as its own module of the outsider's project, in one TypeScript program, and compiles them
// to JavaScript (build/) so the ones marked `run` can be run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  moduleDetection: ts.ModuleDetectionKind.Force,
  strict: true,
  types: ['node'],
  skipLibCheck: true,
};

/**
 * @param {string} dir the outsider's project
 * @param {{ id: string, readme: string, block: import('./extract.mjs').CodeBlock }[]} blocks
 * @returns {{ problems: string[], compiled: Map<string, string> }} problems as `README.md:line:column message`;
 *   compiled: block id → its JavaScript file
 */
export function typecheckBlocks(dir, blocks) {
  const sourceDir = join(dir, 'src');
  mkdirSync(sourceDir, { recursive: true });
  const byFile = new Map();
  for (const entry of blocks) {
    const file = join(sourceDir, `${entry.id}.ts`);
    const { prelude, code } = entry.block;
    writeFileSync(file, prelude ? `${prelude}\n${code}\n` : `${code}\n`);
    byFile.set(file, entry);
  }
  const options = { ...compilerOptions, outDir: join(dir, 'build'), rootDir: sourceDir };
  const program = ts.createProgram([...byFile.keys()], options, ts.createCompilerHost(options));
  const diagnostics = ts.getPreEmitDiagnostics(program);
  program.emit();
  const problems = diagnostics.map((diagnostic) => describe(diagnostic, byFile, dir));
  const compiled = new Map(blocks.map(({ id }) => [id, join(dir, 'build', `${id}.js`)]));
  return { problems, compiled };
}

/** Where a diagnostic is in the README: a prelude line maps into the fragment marker, a code line into the block. */
function describe(diagnostic, byFile, dir) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n    ');
  const entry = diagnostic.file && byFile.get(diagnostic.file.fileName);
  if (!entry) return `${diagnostic.file ? relative(dir, diagnostic.file.fileName) : 'compiler'}: TS${diagnostic.code} ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
  const { prelude, preludeLine, line: codeLine } = entry.block;
  const preludeLines = prelude ? prelude.split('\n').length : 0;
  const readmeLine = line < preludeLines ? preludeLine + line : codeLine + line - preludeLines;
  return `${entry.readme}:${readmeLine}:${character + 1} TS${diagnostic.code} ${message}`;
}
