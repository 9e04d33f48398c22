/**
 * The escape character of every LIKE the engine writes. Not a backslash: what a backslash means
 * in SQL text depends on the NO_BACKSLASH_ESCAPES sql_mode, and `!` means the same everywhere.
 */
export const LIKE_ESCAPE = '!';

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
