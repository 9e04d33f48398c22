import type { FileHandle } from 'node:fs/promises';
import type { Fence } from './fence.js';
import { readRange } from './indexed-read.js';

/**
 * How often an append rewrites its lines when they did not land right after the committed
 * ones: only a writer that lost its lock (and cannot commit) appends at the same time, once
 * per write it had under way.
 */
const WRITE_ATTEMPTS = 4;

/**
 * Appends `bytes` so that they start at `start`, the end of the committed lines: cuts what
 * lies past it first (through the fence), appends, and reads back. A writer that lost its
 * lock still holds an open descriptor and may append at the same moment, so its lines can
 * come first: then the file is cut again and the lines written again, never committed
 * where a reader would meet a stranger's line among them.
 */
export async function writeAfter(handle: FileHandle, file: string, start: number, bytes: Buffer, fence: Fence, mustCut: boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (mustCut) await fence.truncate(file, start);
    else await fence.check();
    await writeAll(handle, bytes);
    const landed = await readRange(handle, file, start, start + bytes.length).catch(() => null);
    if (landed?.equals(bytes)) return;
    if (attempt >= WRITE_ATTEMPTS)
      throw new Error(`${file}: other processes kept appending to it while this one held its lock (${attempt} attempts); nothing was committed, retry`);
    mustCut = true;
  }
}

export async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
    written += bytesWritten;
  }
}
