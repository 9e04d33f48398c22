import { read } from 'node:fs';
import { open } from 'node:fs/promises';

const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a regular file (by path, or an open descriptor from its start) through one reused
 * buffer. A stream allocates a new buffer per chunk, and skipping a line of hundreds of MB
 * would leave that much garbage for the collector; this leaves none. Each chunk is valid
 * only until the next one is asked for.
 */
export async function* fileChunks(source: { readonly path: string } | { readonly fd: number }): AsyncGenerator<Uint8Array> {
  const handle = 'path' in source ? await open(source.path, 'r') : undefined;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = 0;
  try {
    for (;;) {
      const bytesRead = handle
        ? (await handle.read(buffer, 0, CHUNK_BYTES, position)).bytesRead
        : await readAt((source as { fd: number }).fd, buffer, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle?.close();
  }
}

function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, buffer.length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead))));
}
