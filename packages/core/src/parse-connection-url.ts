import { ValidationError } from './errors.js';
import { describeType } from './json.js';
import { urlScheme } from './url-scheme.js';

export interface ConnectionUrlExpectation {
  /** The schemes the adapter takes, lower case with the colon: `['postgres:', 'postgresql:']`. */
  readonly schemes: readonly string[];
  /** A URL of the right shape for the message, e.g. `postgres://user:password@host:5432/database`. */
  readonly example: string;
  /** The option the URL came from, for `ValidationError.path`. Default `url`. */
  readonly path?: string;
}

/**
 * Parses a server's connection URL (`postgres://`, `mysql://`, `redis://`, ...) for an adapter.
 * Every failure is a `ValidationError` that names the scheme and what is wrong, never the URL's
 * text, and keeps no `cause`: the `TypeError` of `new URL` carries the whole URL, password and
 * all, in its `input` property.
 *
 * Also refused, because a driver would quietly read them another way than the user meant: a
 * `#fragment` and an `@` after the host (`bob:12#pw@host` parses as host `bob`, port 12; the
 * password's `#`, `?` or `/` must be percent-encoded), and malformed percent-escapes in the user
 * name, password or path.
 *
 * @example
 * const parsed = parseConnectionUrl(url, { schemes: ['redis:', 'rediss:'], example: 'redis://:password@host:6379/0' })
 */
export function parseConnectionUrl(url: unknown, expected: ConnectionUrlExpectation): URL {
  const path = expected.path ?? 'url';
  const fail = (problem: string): never => {
    throw new ValidationError(
      `${problem}; write it as ${expected.example}, with @ : / ? # % in the user name or password percent-encoded (encodeURIComponent)`,
      { path },
    );
  };
  if (typeof url !== 'string') throw new ValidationError(`expected a URL like ${expected.example}, got ${describeType(url)}`, { path });
  const scheme = urlScheme(url);
  if (scheme === undefined || !expected.schemes.includes(scheme)) {
    throw new ValidationError(
      `expected a ${expected.schemes.join(' or ')}// URL like ${expected.example}, got ${scheme === undefined ? 'one without a scheme' : `a ${scheme} URL`}`,
      { path },
    );
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Deliberately no cause (see above).
  }
  if (parsed === undefined) return fail(`the ${scheme} URL cannot be parsed: ${whyUnparsable(url.slice(scheme.length))}`);
  if (parsed.hash !== '') fail(`the ${scheme} URL has a #fragment, which a connection URL never has (is there a # in the password?)`);
  if (`${parsed.pathname}${parsed.search}`.includes('@')) fail(`the ${scheme} URL has an @ after the host (is there a /, ? or # in the password?)`);
  for (const [part, value] of [
    ['user name', parsed.username],
    ['password', parsed.password],
    ['path', parsed.pathname],
  ] as const) {
    try {
      decodeURIComponent(value);
    } catch {
      fail(`the ${part} in the ${scheme} URL has a malformed %-escape (write a % as %25)`);
    }
  }
  return parsed;
}

/** What is wrong with an unparsable URL, told without quoting any of it but a port number. */
function whyUnparsable(rest: string): string {
  const authority = rest.startsWith('//') ? rest.slice(2) : rest;
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at);
  const host = /^[^/?#]*/.exec(authority.slice(at + 1))![0];
  if (/[/?#]/.test(userinfo)) return 'there is a /, ? or # in the user name or password';
  if (host.startsWith('[') && !host.includes(']')) return 'the IPv6 address in the host has no closing ]';
  const port = /:([^:\]]*)$/.exec(host)?.[1];
  if (port !== undefined && /^\d+$/.test(port) && Number(port) > 65_535) return `port ${Number(port)} is out of range (0 to 65535)`;
  if (port !== undefined && port !== '' && !/^\d+$/.test(port)) return 'the port is not a number';
  if (host === '' || /[\s<>\\^`{|}%]/.test(host)) return 'the host name is missing or has characters a host name cannot have';
  return 'it is not a valid URL';
}
