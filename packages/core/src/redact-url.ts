/**
 * Hiding the secrets of connection URLs before they reach a message, a log line or a terminal.
 *
 * The rules work on the text, never on a parse, because the URLs that most need hiding are the
 * ones no parser accepts: a password with an unencoded `@`, `/`, `?` or `#` in it. So:
 * - everything between `//` and the LAST `@` is user information: the user name (up to the
 *   first `:`, `/`, `?` or `#`) stays, the rest becomes `***`;
 * - the value of every query parameter whose name looks like a credential (`password`,
 *   `pass`, `sslpassword`, `token`, `secret`, `api_key`, `auth`, ...) becomes `***`, up to the
 *   next `&` (a `#` or `;` could be part of the secret).
 * When in doubt it hides too much: a host or path may go, a secret never stays.
 *
 * @module
 */
import { URL_SCHEME } from './url-scheme.js';

/** Query parameter names that carry credentials (matched on the decoded, lower-cased name). */
const SECRET_PARAMETER = /pass|pwd|secret|token|key|auth|credential|sig/;

/** `name=value` after `?` or `&`; the value runs to the next `&`, whatever else it holds. */
const QUERY_PARAMETER = /([?&])([^=&]*)=([^&]*)/g;

/**
 * `url` with its password and credential query parameters replaced by `***`, safe to print.
 * Works on any text, including URLs no parser accepts.
 *
 * @example
 * redactUrl('postgresql://bob:p@ss:word@db/app?sslpassword=x') // 'postgresql://bob:***@db/app?sslpassword=***'
 */
export function redactUrl(url: string): string {
  const text = String(url);
  const scheme = URL_SCHEME.exec(text)?.[0] ?? '';
  const rest = text
    .slice(scheme.length)
    .replace(QUERY_PARAMETER, (whole, separator: string, name: string) => (isSecretParameter(name) ? `${separator}${name}=***` : whole));
  const authority = rest.startsWith('//') ? 2 : 0;
  const userinfo = userinfoOf(rest.slice(authority), authority === 2);
  if (userinfo === undefined) return scheme + rest;
  return `${scheme}${rest.slice(0, authority)}${userinfo.user}:***@${rest.slice(authority + userinfo.length + 1)}`;
}

/**
 * The secrets in `url`, as written and percent-decoded, longest first: the password and the
 * values of credential query parameters. For scrubbing text that may quote them some other way
 * (a driver's error message, a stack trace).
 *
 * @example
 * urlSecrets('redis://:s%40cret@127.0.0.1:6379') // ['s%40cret', 's@cret']
 */
export function urlSecrets(url: string): string[] {
  const text = String(url);
  const rest = text.slice(URL_SCHEME.exec(text)?.[0].length ?? 0);
  const found = new Set<string>();
  const add = (secret: string): void => {
    if (secret.length === 0) return;
    found.add(secret);
    found.add(safeDecode(secret));
    // A `+` in a query value is a space to URLSearchParams, which drivers use.
    found.add(safeDecode(secret.replace(/\+/g, ' ')));
  };
  for (const [, , name, value] of rest.matchAll(QUERY_PARAMETER)) if (isSecretParameter(name!)) add(value!);
  const authority = rest.startsWith('//') ? 2 : 0;
  const userinfo = userinfoOf(rest.slice(authority), authority === 2);
  if (userinfo !== undefined) add(rest.slice(authority + userinfo.user.length + 1, authority + userinfo.length));
  return [...found].filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * The user information at the start of `text` (what follows `//`), up to the last `@`, when it
 * holds more than a user name. Without `//` only a `user:password@` shape counts, so a path with
 * an `@` in it (`sqlite:./backups@2024/s.db`) stays readable.
 */
function userinfoOf(text: string, afterSlashes: boolean): { user: string; length: number } | undefined {
  const at = text.lastIndexOf('@');
  if (at < 0) return undefined;
  const userinfo = text.slice(0, at);
  const user = /^[^:/?#@]*/.exec(userinfo)![0];
  if (user.length === userinfo.length) return undefined;
  if (!afterSlashes && !userinfo.includes(':')) return undefined;
  return { user, length: at };
}

/** Whether a URL query parameter's name says its value is a credential (`password`, `pass`, `token`, `api_key`, ...). */
export function isSecretParameter(name: string): boolean {
  return SECRET_PARAMETER.test(safeDecode(name).toLowerCase());
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
