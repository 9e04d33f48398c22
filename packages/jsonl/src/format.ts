import { SchemaVersionError, ValidationError } from '@sessions/core';
import { mkdir, readdir } from 'node:fs/promises';
import { CorruptFileError } from './errors.js';
import { readFileIfExists, writeFileAtomic, type WriteOptions } from './fs-utils.js';
import type { Layout } from './layout.js';

export const FORMAT_NAME = 'sessions-jsonl';
/**
 * Bumped when the layout changes; `setup()` migrates older folders in place and refuses newer ones.
 * 1: the first layout. 2: session locks are folders with a fence (see `Fence`); the files are
 * unchanged, so migrating from 1 only records the version, which keeps writers of version 1
 * (whose writes are not fenced) from starting on the folder again. Their lock files, left by a
 * crash, are still recognised and broken.
 */
export const FORMAT_VERSION = 2;

interface FormatFile {
  format: string;
  version: number;
}

/**
 * The version recorded in `format.json`, or null when the folder or the file does not exist.
 * Only reads: callable before `setup()`, it creates nothing, not even the folder. A newer
 * version than this package knows is returned as recorded; refusing it is `setup()`'s job.
 */
export async function readFormatVersion(layout: Layout): Promise<number | null> {
  const text = await readFileIfExists(layout.formatFile);
  return text === null ? null : parseFormat(layout, text).version;
}

/**
 * Creates the folder and its `format.json`, or checks an existing one. A non-empty folder
 * without `format.json` is refused rather than filled: it is most likely the wrong path.
 */
export async function ensureFormat(layout: Layout, options: WriteOptions): Promise<void> {
  await mkdir(layout.root, { recursive: true });
  let text = await readFileIfExists(layout.formatFile);
  if (text === null) {
    const foreign = (await readdir(layout.root)).filter((name) => name !== 'users' && !name.startsWith('format.json'));
    if (foreign.length > 0) {
      throw new ValidationError(
        `${layout.root} is not empty (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}) and has no format.json, so it is not a sessions JSONL folder: use an empty or new folder`,
        { path: 'options.dir' },
      );
    }
    const format: FormatFile = { format: FORMAT_NAME, version: FORMAT_VERSION };
    await writeFileAtomic(layout.formatFile, `${JSON.stringify(format, null, 2)}\n`, options);
    text = JSON.stringify(format);
  }
  const format = parseFormat(layout, text);
  if (format.version > FORMAT_VERSION) {
    throw new SchemaVersionError('@sessions/jsonl', layout.root, format.version, FORMAT_VERSION);
  }
  if (format.version < FORMAT_VERSION) {
    await writeFileAtomic(layout.formatFile, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION }, null, 2)}\n`, options);
  }
  await mkdir(layout.usersDir, { recursive: true });
}

function parseFormat(layout: Layout, text: string): FormatFile {
  let format: Partial<FormatFile>;
  try {
    format = JSON.parse(text) as Partial<FormatFile>;
  } catch (error) {
    throw new CorruptFileError(layout.formatFile, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (format.format !== FORMAT_NAME || !Number.isSafeInteger(format.version) || (format.version as number) < 1) {
    throw new CorruptFileError(
      layout.formatFile,
      `does not describe a sessions JSONL folder (expected {"format":"${FORMAT_NAME}","version":${FORMAT_VERSION}})`,
    );
  }
  return format as FormatFile;
}
