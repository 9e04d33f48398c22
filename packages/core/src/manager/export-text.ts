import { ValidationError } from '../errors.js';
import { MAX_JSON_DEPTH } from '../json.js';
import { isExactNumberLiteral } from './exact-number.js';

/**
 * Characters of JSON text a message may have beyond `maxMessageBytes`: room for its other
 * fields (five ids of up to 255 characters, escaped, role, seq, createdAt) and its layout.
 * A message as `export` writes it never comes near: its content, tool calls and metadata
 * are written exactly as the limit counts them.
 */
export const MESSAGE_TEXT_ALLOWANCE = 64 * 1024;

export interface ExportTextOptions {
  /**
   * Refuse a message as soon as its JSON text is longer than this plus
   * `MESSAGE_TEXT_ALLOWANCE`, before the rest of it is read. Off when absent.
   */
  readonly maxMessageBytes?: number;
}

interface Frame {
  readonly array: boolean;
  /** Arrays: the index of the current element. */
  index: number;
  /** Objects: the key of the current member. */
  key: string | undefined;
  expectKey: boolean;
}

/**
 * Containers open at once: the export, the session or a message, then a JSON value of up to
 * MAX_JSON_DEPTH levels. Deeper text would be refused by validation anyway; refusing it here
 * keeps a line of a million `[` from costing a million frames.
 */
const MAX_OPEN = MAX_JSON_DEPTH + 3;

/** Characters of a key kept for error paths. */
const KEY_CAPTURE = 256;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Reads an export's JSON text as it arrives, before it is parsed, for what `JSON.parse`
 * would silently alter or what would not fit in memory: a number literal that no double
 * holds exactly (an integer beyond 2^53, `1e400`) and, with `maxMessageBytes`, a message
 * too long to be accepted. Each is a `ValidationError` whose path names the place in the
 * export (`export.messages[3].metadata.count`). Anything else malformed is left for
 * `JSON.parse` to report.
 *
 * ```ts
 * const scanner = new ExportTextScanner({ maxMessageBytes: 1024 * 1024 });
 * for await (const chunk of textChunks) scanner.push(chunk);
 * scanner.end();
 * ```
 */
export class ExportTextScanner {
  readonly #maxMessageBytes: number | undefined;
  readonly #maxMessageChars: number;
  readonly #stack: Frame[] = [];
  #state: 'value' | 'string' | 'escape' | 'number' = 'value';
  #number = '';
  /** The raw text of the string being read, when it is an object's key. */
  #key: string | undefined;
  /** Characters scanned before the current chunk. */
  #position = 0;
  /** Where the current message's text began, while inside the messages array. */
  #messageStart: number | undefined;

  constructor(options: ExportTextOptions = {}) {
    this.#maxMessageBytes = options.maxMessageBytes;
    this.#maxMessageChars = options.maxMessageBytes === undefined ? Number.POSITIVE_INFINITY : options.maxMessageBytes + MESSAGE_TEXT_ALLOWANCE;
  }

  push(chunk: string): void {
    const length = chunk.length;
    // Where the next backslash in this chunk is: searched again only once passed, so a chunk
    // without any is searched once, not once per string.
    let backslash = -1;
    let i = 0;
    while (i < length) {
      switch (this.#state) {
        case 'string': {
          if (backslash < i) backslash = indexOrEnd(chunk, '\\', i);
          const end = Math.min(indexOrEnd(chunk, '"', i), backslash);
          if (this.#key !== undefined && this.#key.length < KEY_CAPTURE) this.#key += chunk.slice(i, Math.min(end, i + KEY_CAPTURE));
          if (end === length) {
            i = length;
          } else if (end === backslash) {
            if (this.#key !== undefined) this.#key += '\\';
            this.#state = 'escape';
            i = end + 1;
          } else {
            this.#endString();
            i = end + 1;
          }
          break;
        }
        case 'escape':
          if (this.#key !== undefined) this.#key += chunk[i];
          this.#state = 'string';
          i++;
          break;
        case 'number': {
          let end = i;
          while (end < length && isNumberChar(chunk.charCodeAt(end))) end++;
          this.#number += chunk.slice(i, end);
          // The character after the number is read again as structure.
          if (end < length) this.#endNumber();
          i = end;
          break;
        }
        case 'value': {
          const code = chunk.charCodeAt(i);
          if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
            // The number case reads it from this character on.
            this.#state = 'number';
            this.#number = '';
          } else {
            this.#structure(code, this.#position + i);
            i++;
          }
          break;
        }
      }
    }
    this.#position += length;
    this.#checkMessageLength(this.#position);
  }

  /** Call after the last chunk: checks a number that ends the text. */
  end(): void {
    if (this.#state === 'number') this.#endNumber();
  }

  #structure(code: number, at: number): void {
    const top = this.#stack.at(-1);
    switch (code) {
      case 0x22: // "
        this.#state = 'string';
        this.#key = top && !top.array && top.expectKey ? '' : undefined;
        return;
      case 0x7b: // {
        this.#open({ array: false, index: 0, key: undefined, expectKey: true });
        return;
      case 0x5b: // [
        this.#open({ array: true, index: 0, key: undefined, expectKey: false });
        if (this.#inMessages()) this.#messageStart = at + 1;
        return;
      case 0x7d: // }
      case 0x5d: // ]
        if (this.#inMessages()) {
          this.#checkMessageLength(at);
          this.#messageStart = undefined;
        }
        this.#stack.pop();
        return;
      case 0x2c: // ,
        if (!top) return;
        if (!top.array) {
          top.expectKey = true;
          return;
        }
        if (this.#inMessages()) {
          this.#checkMessageLength(at);
          this.#messageStart = at + 1;
        }
        top.index++;
        return;
    }
  }

  #open(frame: Frame): void {
    if (this.#stack.length >= MAX_OPEN) {
      throw new ValidationError(`is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects, the most every backend can store`, {
        path: this.#path(),
      });
    }
    this.#stack.push(frame);
  }

  #endString(): void {
    this.#state = 'value';
    const top = this.#stack.at(-1);
    if (this.#key === undefined || !top) return;
    // Most keys have no escapes; only those are decoded, so the path shows the real key.
    top.key = this.#key.includes('\\') ? decodeKey(this.#key) : this.#key;
    top.expectKey = false;
    this.#key = undefined;
  }

  #endNumber(): void {
    this.#state = 'value';
    const literal = this.#number;
    this.#number = '';
    if (!isExactNumberLiteral(literal)) {
      const shown = literal.length > 40 ? `${literal.slice(0, 40)}...` : literal;
      const stored = Number(literal);
      throw new ValidationError(`the number ${shown} cannot be stored exactly (it would become ${String(stored)}): write it as a string to keep every digit`, {
        path: this.#path(),
      });
    }
  }

  /** The messages array is the open container: the root object's `messages` member. */
  #inMessages(): boolean {
    const stack = this.#stack;
    return stack.length === 2 && stack[1]!.array && !stack[0]!.array && stack[0]!.key === 'messages';
  }

  #checkMessageLength(at: number): void {
    if (this.#messageStart === undefined || at - this.#messageStart <= this.#maxMessageChars) return;
    throw new ValidationError(
      `its JSON text is longer than ${this.#maxMessageChars} characters, so it is over the limit of ${this.#maxMessageBytes} bytes (limits.maxMessageBytes, with ${MESSAGE_TEXT_ALLOWANCE} characters allowed for its other fields)`,
      { path: `export.messages[${this.#stack[1]?.index ?? 0}]` },
    );
  }

  #path(): string {
    let path = 'export';
    for (const frame of this.#stack) {
      if (frame.array) path += `[${frame.index}]`;
      else if (frame.key !== undefined) path += IDENTIFIER.test(frame.key) ? `.${frame.key}` : `[${JSON.stringify(frame.key)}]`;
    }
    return path;
  }
}

/** Checks a whole export text at once; see `ExportTextScanner`. */
export function assertExactExportText(text: string, options: ExportTextOptions = {}): void {
  const scanner = new ExportTextScanner(options);
  scanner.push(text);
  scanner.end();
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}

function isNumberChar(code: number): boolean {
  // Digits, '.', '-', '+', 'e', 'E'.
  return (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d || code === 0x2b || code === 0x65 || code === 0x45;
}

function decodeKey(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
