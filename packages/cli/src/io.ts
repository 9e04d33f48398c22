import type { Readable, Writable } from 'node:stream';

/** A writable stream with the bits of a TTY the CLI looks at. */
export type Output = Writable & { isTTY?: boolean; columns?: number };

/** Where a CLI run reads and writes. `runCli` takes it so tests can run commands in-process. */
export interface CliIo {
  readonly stdin: Readable & { isTTY?: boolean; fd?: number };
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: long commands stop at the next safe point. */
  readonly signal?: AbortSignal;
}

/**
 * Writes with backpressure: waits for `drain` when the stream's buffer is full, so piping a
 * whole store into a slow consumer keeps memory flat.
 */
export async function write(stream: Writable, text: string): Promise<void> {
  if (text.length === 0) return;
  if (stream.destroyed || stream.writableEnded) throw brokenPipe();
  if (stream.write(text)) return;
  await waitForDrain(stream);
}

/** Resolves once everything written so far has been flushed. */
export async function flush(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.writableEnded || stream.writableLength === 0) return;
  await waitForDrain(stream);
}

function waitForDrain(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (error: unknown): void => done(error);
    const onClose = (): void => done(brokenPipe());
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

function brokenPipe(): Error {
  return Object.assign(new Error('the output stream was closed (broken pipe)'), { code: 'EPIPE' });
}

/** A reader closed our output early (`sessions export ... | head`): not an error worth a stack. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'EPIPE';
}
