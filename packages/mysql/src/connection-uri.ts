import { ValidationError } from '@sessions/core';
import { isSecretParameter, parseConnectionUrl } from '@sessions/core/engine';

// No password in it: every URL in a message is redacted, an example's too.
const EXAMPLE = 'mysql://user@host:3306/database';

/**
 * mysql2 options that change the shape of what a query returns, which the adapter reads as
 * plain rows of plain values: with `?typeCast=false` setup waited a minute on a lock it already
 * held and then blamed another setup(). Each maps to the value that is harmless (mysql2's
 * default), which may be spelled out; charset must stay a utf8mb4 one for 4-byte characters.
 */
const BREAKING_OPTIONS: Readonly<Record<string, (value: unknown) => boolean>> = {
  typeCast: (value) => value === true,
  rowsAsArray: (value) => value === false,
  nestTables: (value) => value === false || value === undefined,
  queryFormat: (value) => value === undefined,
  charset: (value) => typeof value === 'string' && /^utf8mb4/i.test(value),
};

/** Parts of the URL that mysql2 reads from the authority and path only, silently ignoring them as query parameters. */
const IGNORED_BY_MYSQL2 = { host: 'the host', port: 'the port', database: 'the path (/database)' } as const;

/**
 * mysql2's own options whose names look like credentials. Any other such parameter (`?pass=`,
 * `?token=`) is no mysql2 option: mysql2 would warn, drop it and connect without it.
 */
const MYSQL2_CREDENTIAL_OPTIONS: ReadonlySet<string> = new Set(['password', 'password1', 'password2', 'password3', 'passwordSha1']);

/**
 * Checks a `mysql://` or `mariadb://` URI and returns it as mysql2 should get it: `?user=` and
 * `?password=` moved into the authority (mysql2 drops them, and would connect without the
 * password), and anything mysql2 would ignore or that breaks the adapter refused by name.
 * Every error is a `ValidationError` at `path` that never quotes the URI.
 */
export function normalizeMysqlUri(uri: unknown, path: string): string {
  const parsed = parseConnectionUrl(uri, { schemes: ['mysql:', 'mariadb:'], example: EXAMPLE, path });
  const query = parsed.searchParams;
  for (const name of new Set(query.keys())) {
    if (isSecretParameter(name) && !MYSQL2_CREDENTIAL_OPTIONS.has(name)) {
      throw new ValidationError(`mysql2 has no ?${name}= option and would connect without it: give the password before the @ or as ?password=`, { path });
    }
  }
  for (const [name, where] of Object.entries(IGNORED_BY_MYSQL2)) {
    if (query.has(name)) throw new ValidationError(`mysql2 ignores ?${name}= in a URL: write it in ${where}, as in ${EXAMPLE}`, { path });
  }
  for (const [name, part] of [
    ['user', 'username'],
    ['password', 'password'],
  ] as const) {
    const value = query.get(name);
    if (value === null) continue;
    if (query.getAll(name).length > 1 || parsed[part] !== '') {
      throw new ValidationError(`the ${name === 'user' ? 'user name' : 'password'} is given twice in the URL (before the @ and as ?${name}=): keep one`, {
        path,
      });
    }
    // mysql2 percent-decodes the authority, so the decoded parameter is encoded once more.
    parsed[part] = encodeURIComponent(value);
    query.delete(name);
  }
  for (const [name, value] of query) checkDriverOption(name, parseLikeMysql2(value), path);
  return parsed.toString().replace(/^mariadb:/i, 'mysql:');
}

/** Refuses the `poolOptions` that would break the adapter, as `normalizeMysqlUri` refuses them in a URL. */
export function checkPoolOptions(poolOptions: Readonly<Record<string, unknown>>, path: string): void {
  for (const [name, value] of Object.entries(poolOptions)) checkDriverOption(name, value, `${path}.${name}`);
}

function checkDriverOption(name: string, value: unknown, path: string): void {
  const harmless = Object.hasOwn(BREAKING_OPTIONS, name) ? BREAKING_OPTIONS[name] : undefined;
  if (harmless === undefined || harmless(value)) return;
  throw new ValidationError(
    name === 'charset'
      ? `${name} must be a utf8mb4 character set (mysql2's default) so 4-byte characters survive: remove it`
      : `the mysql2 option ${name} changes the rows queries return, which @sessions/mysql reads itself: remove it`,
    { path },
  );
}

/** A query parameter's value as mysql2 reads it: JSON where it parses, the string otherwise. */
function parseLikeMysql2(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
