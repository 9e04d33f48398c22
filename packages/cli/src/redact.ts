import { redactUrl } from '@sessions/core';
import { urlSecrets } from '@sessions/core/engine';

/** An argument that is a store URL: a `scheme://` one, or a local store's. */
const URL_ARGUMENT = /^([a-z][a-z0-9+.-]*:\/\/|(sqlite|jsonl|memory):)/i;

/** A URL inside other text: from its scheme to the next space, quote or bracket, less the punctuation that ends a sentence. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`()<>]+?(?=[.,:;]*(?:$|[\s'"`()<>]))/gi;

/**
 * The secrets in the URLs given on the command line (passwords and credential query parameters,
 * raw and percent-decoded), longest first, so anything the CLI prints (including a driver's error
 * message that quotes its connection string) can be scrubbed of them.
 */
export function secretsIn(args: readonly string[]): string[] {
  const secrets = new Set<string>();
  for (const arg of args) if (URL_ARGUMENT.test(arg)) for (const secret of urlSecrets(arg)) secrets.add(secret);
  // Longest first, so a password containing another is replaced whole.
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** Replaces every known secret, and the secrets of every URL in `text`, with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text.replace(URL_IN_TEXT, (url) => redactUrl(url));
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
