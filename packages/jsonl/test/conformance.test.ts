import { fileURLToPath } from 'node:url';
import { runConformance } from '@sessions/conformance';
import type { Engine } from '@sessions/core';
import { JsonlEngine } from '../src/index.js';
import { rawReader } from './raw-store.js';
import { removeDir, tempDir } from './temp-dir.js';

const dirOf = (engine: Engine) => (engine as JsonlEngine).dir;
// The suite's second process opens the same directory through the built package.
const builtPackage = fileURLToPath(new URL('../dist/index.js', import.meta.url));

runConformance({
  name: 'jsonl',
  create: () => new JsonlEngine({ dir: tempDir() }),
  destroy: (engine) => removeDir(dirOf(engine)),
  reopen: (engine) => new JsonlEngine({ dir: dirOf(engine) }),
  openInAnotherProcess: (engine) => ({ module: builtPackage, exportName: 'JsonlEngine', args: [{ dir: dirOf(engine) }] }),
  raw: (engine) => rawReader(dirOf(engine)),
});
