import { asciiLowerCase, parseLikePattern, type LikeToken } from '@sessions/core/engine';

/**
 * The escape character of every LIKE the engine writes. Not a backslash: what a backslash means
 * in SQL text depends on the NO_BACKSLASH_ESCAPES sql_mode, and `!` means the same everywhere.
 */
export const LIKE_ESCAPE = '!';

/** Renders parsed LIKE tokens as a MySQL pattern for `LIKE ? ESCAPE '!'`. */
export function renderLikePattern(tokens: readonly LikeToken[]): string {
  let pattern = '';
  for (const token of tokens) {
    if (token.kind === 'any') pattern += '%';
    else if (token.kind === 'one') pattern += '_';
    else pattern += token.text.replace(/[!%_]/g, (char) => `${LIKE_ESCAPE}${char}`);
  }
  return pattern;
}

/** The pattern for `ilike`: folded to ASCII lower case before parsing, as the reference does. */
export function renderIlikePattern(pattern: string): string {
  return renderLikePattern(parseLikePattern(asciiLowerCase(pattern)));
}

/**
 * SQL that lower-cases only A-Z in `expression`. LOWER() would fold every script (É to é),
 * which `ilike` must not; REPLACE is case-sensitive in every collation.
 */
export function asciiLowerSql(expression: string): string {
  let sql = expression;
  for (let code = 65; code <= 90; code++) {
    const upper = String.fromCharCode(code);
    sql = `REPLACE(${sql}, '${upper}', '${upper.toLowerCase()}')`;
  }
  return sql;
}
