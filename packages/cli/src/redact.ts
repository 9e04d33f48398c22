import { redactUrl } from '@sessions/core';

/**
 * Passwords in the URLs given on the command line, raw and percent-decoded, so anything the
 * CLI prints (including a driver's error message that quotes its connection string) can be
 * scrubbed of them.
 */
export function secretsIn(args: readonly string[]): string[] {
  const secrets = new Set<string>();
  for (const arg of args) {
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@/]*)@/i.exec(arg);
    const password = match?.[1];
    if (!password) continue;
    secrets.add(password);
    try {
      secrets.add(decodeURIComponent(password));
    } catch {
      // A malformed escape stays in its raw form only.
    }
  }
  // Longest first, so a password containing another is replaced whole.
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** Replaces every known secret and every `user:password@` in `text` with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = redactUrl(text).replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]*@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('***');
    // A very short password is only replaced where it stands alone, or every "a" would go.
    else result = result.replace(new RegExp(`(^|[\\s'"\`:=@(])${escapeRegExp(secret)}(?=$|[\\s'"\`@),;.])`, 'g'), '$1***');
  }
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
