import { ValidationError } from '../errors.js';

/** One piece of a parsed LIKE pattern. */
export type LikeToken = { kind: 'literal'; text: string } | { kind: 'any' } | { kind: 'one' };

/**
 * Parses a LIKE pattern: `%` any run of characters, `_` exactly one character (code point),
 * `\` makes the next character literal. Adapters render the tokens in their dialect.
 */
export function parseLikePattern(pattern: string): LikeToken[] {
  const tokens: LikeToken[] = [];
  let literal = '';
  const flush = () => {
    if (literal) tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      const next = pattern.codePointAt(i + 1);
      if (next === undefined) throw new ValidationError('a LIKE pattern cannot end with a lone "\\": write "\\\\" for a backslash');
      const nextChar = String.fromCodePoint(next);
      literal += nextChar;
      i += nextChar.length;
    } else if (char === '%') {
      flush();
      if (tokens.at(-1)?.kind !== 'any') tokens.push({ kind: 'any' });
    } else if (char === '_') {
      flush();
      tokens.push({ kind: 'one' });
    } else {
      literal += char;
    }
  }
  flush();
  return tokens;
}

/** ASCII-only lower-casing: the case folding `ilike` promises on every backend. */
export function asciiLowerCase(value: string): string {
  return value.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** A RegExp matching exactly the strings the pattern matches. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const tokens = parseLikePattern(caseInsensitive ? asciiLowerCase(pattern) : pattern);
  let source = '';
  for (const token of tokens) {
    if (token.kind === 'any') source += '[^]*';
    else if (token.kind === 'one') source += '.';
    else source += token.text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

export function likeMatches(value: string, pattern: RegExp, caseInsensitive: boolean): boolean {
  return pattern.test(caseInsensitive ? asciiLowerCase(value) : value);
}
