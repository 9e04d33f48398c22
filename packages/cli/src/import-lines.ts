import { createReadStream, createWriteStream, fstatSync, statSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DEFAULT_MAX_MESSAGE_BYTES, MessageExistsError, parseExport, ValidationError, type Message, type Session } from '@sessions/core';
import { assertExactExportText, assertMessageSize, ExportTextScanner } from '@sessions/core/engine';
import { CliError, UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { fileChunks } from './file-chunks.js';
import { readLines, type ReadLine } from './line-reader.js';

/** One line of an export file, numbered from 1: its text, or why it was refused while reading. */
export type NumberedLine = ReadLine;

type Chunks = AsyncIterable<Uint8Array | string>;

/** The limits `import` reads with. */
export interface ImportLimits {
  /** The largest message, counted as `SessionManager`'s `limits.maxMessageBytes` counts it. */
  readonly maxMessageBytes: number;
  /** The longest line (one session with its messages), in bytes. */
  readonly maxLineBytes: number;
}

/** 256 MiB: a session line longer than this is refused unless `--max-line-bytes` allows it. */
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

export const DEFAULT_IMPORT_LIMITS: ImportLimits = Object.freeze({ maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, maxLineBytes: DEFAULT_MAX_LINE_BYTES });

/**
 * The input of `import`, read twice: once to validate every line, once to write. A file (or
 * stdin redirected from one) is simply read again; a pipe is copied to a temporary file on
 * the first pass, so memory stays flat either way.
 */
export class ImportInput {
  readonly #first: () => Chunks;
  readonly #again: (() => Chunks) | undefined;
  readonly #limits: ImportLimits;
  #spoolDir: string | undefined;
  #spoolPath: string | undefined;

  private constructor(first: () => Chunks, again: (() => Chunks) | undefined, limits: ImportLimits) {
    this.#first = first;
    this.#again = again;
    this.#limits = limits;
  }

  /**
   * A named input. A regular file is read twice; anything else that can be read (a named pipe,
   * `<(zcat backup.gz)`, `/dev/stdin`) is read once and spooled like a pipe on stdin, since a
   * second open would find it drained. Checked before any store is opened: a missing file is
   * exit 4, a directory exit 2.
   */
  static fromFile(path: string, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): ImportInput {
    let stats;
    try {
      // bigint for the same reason as isRegularFile below.
      stats = statSync(path, { bigint: true });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new CliError(EXIT.notFound, 'INPUT_NOT_FOUND', `there is no file ${JSON.stringify(path)} to import`, {
          hint: 'check the path, or pipe the export on stdin: sessions import <url> < sessions.jsonl',
          cause: error,
        });
      }
      throw new CliError(EXIT.failure, 'READ_FAILED', `cannot read ${JSON.stringify(path)}: ${(error as Error).message}`, {
        hint: 'check the permissions of the file and its directories',
        cause: error,
      });
    }
    if (stats.isDirectory()) {
      throw new UsageError(`${JSON.stringify(path)} is a directory; import reads one export file`, 'name the .jsonl file that `sessions export` wrote');
    }
    if (stats.isFile()) {
      const open = (): Chunks => fileChunks({ path });
      return new ImportInput(open, open, limits);
    }
    // Not a regular file: no positional reads, so a stream.
    return new ImportInput(() => createReadStream(path), undefined, limits);
  }

  static fromStdin(stdin: Readable & { fd?: number }, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): ImportInput {
    const fd = typeof stdin.fd === 'number' ? stdin.fd : undefined;
    if (fd !== undefined && isRegularFile(fd)) {
      // Positional reads from offset 0 re-read a redirected file without reopening it.
      const open = (): Chunks => fileChunks({ fd });
      return new ImportInput(open, open, limits);
    }
    return new ImportInput(() => stdin, undefined, limits);
  }

  /** First pass: every line, copied aside when the input cannot be read twice. */
  async *firstPass(): AsyncGenerator<NumberedLine> {
    let spool: WriteStream | undefined;
    if (!this.#again) {
      this.#spoolDir = await mkdtemp(join(tmpdir(), 'sessions-import-'));
      this.#spoolPath = join(this.#spoolDir, 'input.jsonl');
      spool = createWriteStream(this.#spoolPath, { mode: 0o600 });
    }
    try {
      for await (const line of this.#lines(this.#first())) {
        // A refused line stops the import before the second pass; its place is kept all the same.
        if (spool && !spool.write('text' in line ? `${line.text}\n` : '\n')) await new Promise<void>((resolve) => spool.once('drain', () => resolve()));
        yield line;
      }
    } finally {
      if (spool) await new Promise<void>((resolve, reject) => spool.end((error?: Error | null) => (error ? reject(error) : resolve())));
    }
  }

  /** Second pass: the same lines again. */
  secondPass(): AsyncGenerator<NumberedLine> {
    if (this.#again) return this.#lines(this.#again());
    if (!this.#spoolPath) throw new Error('internal: secondPass before firstPass');
    return this.#lines(fileChunks({ path: this.#spoolPath }));
  }

  #lines(input: Chunks): AsyncGenerator<NumberedLine> {
    const { maxMessageBytes, maxLineBytes } = this.#limits;
    return readLines(input, { maxLineBytes, inspect: () => new ExportTextScanner({ maxMessageBytes }) });
  }

  async cleanup(): Promise<void> {
    if (this.#spoolDir) await rm(this.#spoolDir, { recursive: true, force: true });
  }
}

function isRegularFile(fd: number): boolean {
  try {
    // bigint: on Node 20 a plain fstat of a pipe leaves the shared stat buffer in a state that
    // makes the ESM resolver skip realpath afterwards, so packages load from symlinked paths
    // and their own dependencies stop resolving. The bigint variant uses its own buffer.
    return fstatSync(fd, { bigint: true }).isFile();
  } catch {
    return false;
  }
}

/** A parsed line, ready for `engine.createSession`. */
export interface ParsedSession {
  readonly session: Session;
  readonly messages: Message[];
}

/**
 * Parses and fully checks one export line: core's `parseExport`, numbers that would not be
 * stored exactly, `append`'s message size limit, plus what `createSession` would reject
 * later (seq order, seq within `lastSeq`, unique message ids), so a bad line is found before
 * anything is written. Blank lines yield undefined.
 */
export function parseExportLine(text: string, limits: Pick<ImportLimits, 'maxMessageBytes'> = DEFAULT_IMPORT_LIMITS): ParsedSession | undefined {
  assertExactExportText(text, limits);
  return parseScannedLine(text, limits);
}

/** `parseExportLine` for a line `ImportInput` has read: its text was scanned while it was read. */
export function parseScannedLine(text: string, limits: Pick<ImportLimits, 'maxMessageBytes'>): ParsedSession | undefined {
  if (text.trim().length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError(`not valid JSON (${(cause as Error).message})`, { cause });
  }
  const { session, messages } = parseExport(value);
  messages.forEach((message, i) => assertMessageSize(message, limits.maxMessageBytes, `export.messages[${i}]`));
  const ids = new Set<string>();
  let previousSeq = 0;
  messages.forEach((message, i) => {
    const path = `export.messages[${i}].seq`;
    if (message.seq <= previousSeq) throw new ValidationError(`seq must increase from one message to the next (${previousSeq} then ${message.seq})`, { path });
    if (message.seq > session.lastSeq) throw new ValidationError(`seq ${message.seq} exceeds the session's lastSeq (${session.lastSeq})`, { path });
    if (ids.has(message.id)) throw new MessageExistsError(session, message.id);
    ids.add(message.id);
    previousSeq = message.seq;
  });
  return { session, messages };
}
