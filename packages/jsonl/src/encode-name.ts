import { createHash } from 'node:crypto';

/** Names longer than this are shortened to a readable prefix plus a hash of the whole id. */
export const MAX_ENCODED_NAME = 120;
const HASHED_PREFIX = 48;
const HEX = Array.from({ length: 256 }, (_, byte) => `%${byte.toString(16).padStart(2, '0')}`);
const ASCII = Array.from({ length: 128 }, (_, code) => (/^[a-z0-9_-]$/.test(String.fromCharCode(code)) ? String.fromCharCode(code) : HEX[code]!));
// Device names Windows reserves whatever the extension; our names are always followed by one.
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/**
 * Turns an id into a file name that is safe on every common file system and injective:
 * - `[a-z0-9_-]` stay as they are; every other character (upper-case letters, `.`, `/`, `\`,
 *   `%`, spaces, non-ASCII ...) becomes `%xx` per UTF-8 byte with lower-case hex. Names hold
 *   no upper-case letters, so `Chat` and `chat` stay apart on case-insensitive file systems,
 *   and no `.` or separator, so nothing can climb out of its folder.
 * - Windows device names (`con`, `nul` ...) get their first letter encoded.
 * - Names over {@link MAX_ENCODED_NAME} characters keep a prefix and append `~` and the
 *   SHA-256 of the full id; `~` appears in no other name, so hashed and plain names never meet.
 *
 * Files always store the real ids inside, so a hashed name never has to be decoded.
 */
export function encodeName(id: string): string {
  let name = '';
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x80) name += ASCII[code];
    else {
      // One code point (a surrogate pair counts as one), percent-encoded byte by byte.
      const char = String.fromCodePoint(id.codePointAt(i)!);
      if (char.length === 2) i++;
      for (const byte of Buffer.from(char, 'utf8')) name += HEX[byte];
    }
  }
  if (WINDOWS_RESERVED.test(name)) name = `${HEX[name.charCodeAt(0)]}${name.slice(1)}`;
  if (name.length <= MAX_ENCODED_NAME) return name;
  let prefix = name.slice(0, HASHED_PREFIX);
  // Never cut an escape in half: the prefix is for people, but it must stay well formed.
  const lastEscape = prefix.lastIndexOf('%');
  if (lastEscape > prefix.length - 3) prefix = prefix.slice(0, lastEscape);
  return `${prefix}~${createHash('sha256').update(id, 'utf8').digest('hex')}`;
}

/** The id behind a name, or null for a hashed name (read the id from the file instead). */
export function decodeName(name: string): string | null {
  if (name.includes('~')) return null;
  return decodeURIComponent(name);
}
