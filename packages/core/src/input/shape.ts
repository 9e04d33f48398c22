import { ValidationError } from '../errors.js';
import { describeType, isPlainObject } from '../json.js';
import { nearestKey } from './nearest-key.js';

/** Checks one value found at `path` and returns it; throws `ValidationError` naming `path`. */
export type Check<T> = (value: unknown, path: string) => T;

export type Fields = Readonly<Record<string, Check<unknown>>>;

/** What `parse` returns: each declared key with its checked type (absent keys stay absent). */
export type Parsed<F extends Fields> = { -readonly [K in keyof F]: F[K] extends Check<infer T> ? T : never };

export interface ShapeOptions {
  /** What a key of this object is called in messages: `option` (the default), `field`, `query option`. */
  noun?: string;
  /** What the object looks like, for the message when it is not an object at all. */
  expected?: string;
}

/**
 * One options object of one public method, declared once: its keys and how each value is
 * checked. Every options object is parsed the same way: it must be a plain object; a key it
 * does not declare is refused whatever its value (a misspelt `{ wher: undefined }` is as wrong
 * as `{ wher: filter }`, and would otherwise turn a filtered call into one over everything);
 * a declared key set to `undefined` counts as absent, so optional values can be spread in.
 */
export class Shape<F extends Fields> {
  readonly keys: readonly string[];
  readonly #fields: F;
  readonly #method: string;
  readonly #noun: string;
  readonly #expected: string;

  constructor(method: string, fields: F, options: ShapeOptions = {}) {
    this.#method = method;
    this.#fields = fields;
    this.keys = Object.freeze(Object.keys(fields));
    this.#noun = options.noun ?? 'option';
    this.#expected = options.expected ?? `{ ${this.keys.map((key) => `${key}?`).join(', ')} }`;
  }

  /** The checked object: declared keys only, each checked once. */
  parse(value: unknown, path: string): Parsed<F> {
    this.assertKeys(value, path);
    const parsed: Record<string, unknown> = {};
    for (const key of this.keys) {
      const checked = this.#fields[key]!(value[key], `${path}.${key}`);
      if (checked !== undefined) parsed[key] = checked;
    }
    return parsed as Parsed<F>;
  }

  /** Only the object and its keys, for objects whose values another layer checks (an engine's records). */
  assertKeys(value: unknown, path: string): asserts value is Record<string, unknown> {
    if (!isPlainObject(value)) throw new ValidationError(`${this.#method} expects ${this.#expected}, got ${describeType(value)}`, { path });
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(this.#fields, key)) throw this.#unknown(key, path);
    }
  }

  /** Lets a shape be a field of another shape. */
  get check(): Check<Parsed<F>> {
    return (value, path) => this.parse(value, path);
  }

  #unknown(key: string, path: string): ValidationError {
    const near = nearestKey(key, this.keys);
    const takes = this.keys.join(', ');
    const hint = near === undefined ? `; it takes ${takes}` : `; did you mean ${JSON.stringify(near)}? It takes ${takes}`;
    return new ValidationError(`unknown ${this.#noun} ${JSON.stringify(key)} for ${this.#method}${hint}`, { path });
  }
}

export function shape<F extends Fields>(method: string, fields: F, options?: ShapeOptions): Shape<F> {
  return new Shape(method, fields, options);
}
