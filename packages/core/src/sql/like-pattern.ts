import { asciiLowerCase, type LikeToken } from '../filter/like.js';

/**
 * Parsed LIKE tokens as an SQL LIKE pattern for `LIKE ? ESCAPE '<escape>'`: `%` and `_` for
 * the wildcards, and `%`, `_` and the escape character itself escaped in literal text. `fold`
 * lower-cases the literals' ASCII letters, for `ilike` against an ASCII-lower-cased value.
 */
export function sqlLikePattern(tokens: readonly LikeToken[], escape: string, fold: boolean): string {
  let pattern = '';
  for (const token of tokens) {
    if (token.kind === 'any') pattern += '%';
    else if (token.kind === 'one') pattern += '_';
    else {
      for (const char of fold ? asciiLowerCase(token.text) : token.text) pattern += char === '%' || char === '_' || char === escape ? escape + char : char;
    }
  }
  return pattern;
}
