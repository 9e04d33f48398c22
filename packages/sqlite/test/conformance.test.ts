import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runConformance, type RawReader } from '@sessions/conformance';
import type Database from 'better-sqlite3';
import type { Engine } from '@sessions/core';
import { SqliteEngine } from '../src/index.js';
import { pathOf, rawReader, removeTempDir, tempEngine } from './helpers.js';

const readers = new Map<Engine, RawReader & { close(): void }>();
// The suite's second process opens the same file through the built package.
const builtPackage = fileURLToPath(new URL('../dist/index.js', import.meta.url));

// A file per engine, read back over a separate read-only connection.
runConformance({
  name: 'sqlite (file)',
  create: () => tempEngine(),
  reopen: (engine) => new SqliteEngine({ path: pathOf(engine) }),
  openInAnotherProcess: (engine) => ({ module: builtPackage, exportName: 'SqliteEngine', args: [{ path: pathOf(engine) }] }),
  raw(engine) {
    let reader = readers.get(engine);
    if (!reader) {
      reader = rawReader(pathOf(engine));
      readers.set(engine, reader);
    }
    return reader;
  },
  destroy(engine) {
    readers.get(engine)?.close();
    readers.delete(engine);
    removeTempDir(dirname(pathOf(engine)));
  },
});

// `sqlite::memory:`: the same engine without a file. Persistence and other processes do not apply.
runConformance({
  name: 'sqlite (in memory)',
  capabilities: { persistent: false, crossProcess: false },
  create: () => new SqliteEngine({ path: ':memory:' }),
  raw: (engine) => rawReader((engine as SqliteEngine).database as unknown as Database.Database),
});
