import type { LikeToken } from '@sessions/core/engine';

/**
 * Renders parsed LIKE tokens as a GLOB pattern. SQLite's LIKE folds case (and `_` / `%`
 * escaping needs an ESCAPE clause), while GLOB is case-sensitive and `?` matches exactly one
 * character (code point), so GLOB gives `like` its exact semantics. For `ilike`, each ASCII
 * letter becomes the class `[aA]`: the ASCII-only folding core promises, independent of
 * whether this SQLite build has ICU.
 */
export function likeToGlob(tokens: readonly LikeToken[], caseInsensitive: boolean): string {
  let glob = '';
  for (const token of tokens) {
    if (token.kind === 'any') glob += '*';
    else if (token.kind === 'one') glob += '?';
    else glob += literalToGlob(token.text, caseInsensitive);
  }
  return glob;
}

function literalToGlob(text: string, caseInsensitive: boolean): string {
  let glob = '';
  for (const char of text) {
    // `]` outside a class is an ordinary character in GLOB; these three are not.
    if (char === '*' || char === '?' || char === '[') glob += `[${char}]`;
    else if (caseInsensitive && /^[A-Za-z]$/.test(char)) glob += `[${char.toLowerCase()}${char.toUpperCase()}]`;
    else glob += char;
  }
  return glob;
}
