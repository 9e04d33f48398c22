import { ValidationError, type SessionsError } from '@sessions/core';
import { isSessionsError } from './errors.js';

/** Looks at a line's text as it arrives and throws a `SessionsError` to refuse it early. */
export interface LineInspector {
  push(text: string): void;
  end(): void;
}

export interface LineReaderOptions {
  /** A line with more bytes than this is refused as soon as it passes them. */
  readonly maxLineBytes: number;
  /** Made fresh for every line. */
  readonly inspect?: () => LineInspector;
}

/** One line of the input, numbered from 1: its text, or why it was refused. */
export type ReadLine = { readonly number: number; readonly text: string } | { readonly number: number; readonly error: SessionsError };

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines of strict UTF-8 text. Bytes that are not UTF-8 refuse
 * the line (where a lenient decoder would put U+FFFD in the data); a line is held in memory
 * only up to `maxLineBytes` or until its inspector refuses it, after which the rest of it is
 * read and dropped up to the next newline. A BOM at the start and CR before LF are removed.
 * Splitting on the byte 0x0A is safe: UTF-8 never uses it inside a multi-byte character.
 */
export async function* readLines(input: AsyncIterable<Uint8Array | string>, options: LineReaderOptions): AsyncGenerator<ReadLine> {
  let number = 1;
  let line = new LineBuffer(number, options);
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (;;) {
      const newline = bytes.indexOf(NEWLINE, start);
      line.add(bytes.subarray(start, newline === -1 ? bytes.length : newline));
      if (newline === -1) break;
      yield line.finish();
      line = new LineBuffer(++number, options);
      start = newline + 1;
    }
  }
  if (line.bytes > 0) yield line.finish();
}

class LineBuffer {
  readonly #number: number;
  readonly #maxBytes: number;
  readonly #inspector: LineInspector | undefined;
  // ignoreBOM keeps U+FEFF in the text: only the first line's is dropped, by us.
  readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  readonly #parts: string[] = [];
  #error: SessionsError | undefined;
  bytes = 0;

  constructor(number: number, options: LineReaderOptions) {
    this.#number = number;
    this.#maxBytes = options.maxLineBytes;
    this.#inspector = options.inspect?.();
  }

  add(bytes: Uint8Array): void {
    const from = this.bytes;
    this.bytes += bytes.length;
    if (this.#error) return;
    if (this.bytes > this.#maxBytes) {
      this.#refuse(new ValidationError(`is longer than ${this.#maxBytes} bytes (--max-line-bytes); it was not read further`));
      return;
    }
    if (bytes.length === 0) return;
    this.#take(() => this.#decoder.decode(bytes, { stream: true }), `bytes ${from + 1} to ${this.bytes} of the line hold a sequence that is not a character`);
  }

  finish(): ReadLine {
    if (!this.#error) this.#take(() => this.#decoder.decode(), 'the line ends inside a character');
    if (!this.#error) {
      try {
        this.#inspector?.end();
      } catch (error) {
        this.#refuse(error);
      }
    }
    if (this.#error) return { number: this.#number, error: this.#error };
    let text = this.#parts.join('');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { number: this.#number, text };
  }

  #take(decode: () => string, where: string): void {
    let text: string;
    try {
      text = decode();
    } catch (cause) {
      this.#refuse(new ValidationError(`is not valid UTF-8: ${where}; fix or re-encode the file (e.g. iconv -f latin1 -t utf-8)`, { cause }));
      return;
    }
    if (this.#number === 1 && this.#parts.length === 0 && text.startsWith('\uFEFF')) text = text.slice(1);
    if (text.length === 0) return;
    try {
      this.#inspector?.push(text);
    } catch (error) {
      this.#refuse(error);
      return;
    }
    this.#parts.push(text);
  }

  #refuse(error: unknown): void {
    if (!isSessionsError(error)) throw error;
    this.#error = error;
    this.#parts.length = 0;
  }
}
