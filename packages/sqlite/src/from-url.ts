import { redactUrl, ValidationError } from '@sessions/core';
import { describeType } from '@sessions/core/engine';
import { SqliteEngine } from './sqlite-engine.js';
import type { SqliteTuning } from './options.js';

const TUNING: Readonly<Record<string, (value: string) => Partial<SqliteTuning>>> = {
  synchronous: (value) => ({ synchronous: value.toUpperCase() as SqliteTuning['synchronous'] }),
  busyTimeoutMs: (value) => ({ busyTimeoutMs: Number(value) }),
  retryTimeoutMs: (value) => ({ retryTimeoutMs: Number(value) }),
  tablePrefix: (value) => ({ tablePrefix: value }),
};

/**
 * Builds a `SqliteEngine` from a URL; `createEngine` calls this for `sqlite:` URLs.
 *
 * - `sqlite:./sessions.db` (relative to the working directory), `sqlite:/abs/sessions.db`,
 *   also written `sqlite:///abs/sessions.db`
 * - `sqlite::memory:` for a private in-memory database
 * - tuning as query parameters: `sqlite:./s.db?synchronous=FULL&busyTimeoutMs=5&retryTimeoutMs=10000&tablePrefix=chat_`
 *
 * @example
 * const engine = fromUrl('sqlite:./sessions.db')
 * await engine.setup()
 */
export function fromUrl(url: string): SqliteEngine {
  if (typeof url !== 'string' || !/^sqlite:/i.test(url)) {
    throw new ValidationError(
      `expected a URL like "sqlite:./sessions.db" or "sqlite::memory:", got ${typeof url === 'string' ? JSON.stringify(redactUrl(url)) : describeType(url)}`,
      { path: 'url' },
    );
  }
  let rest = url.slice('sqlite:'.length);
  const queryStart = rest.indexOf('?');
  const query = queryStart < 0 ? '' : rest.slice(queryStart + 1);
  if (queryStart >= 0) rest = rest.slice(0, queryStart);
  if (rest.startsWith('//')) {
    rest = rest.slice(2);
    if (/^[^/]*@/.test(rest))
      throw new ValidationError(
        'a sqlite:// URL names a file on this machine (no host, user or password): write sqlite:./sessions.db or sqlite:///absolute/sessions.db',
        { path: 'url' },
      );
  }
  if (rest.length === 0) {
    throw new ValidationError(`the sqlite: URL ${JSON.stringify(redactUrl(url))} names no database: use "sqlite:./sessions.db" or "sqlite::memory:"`, {
      path: 'url',
    });
  }
  let tuning: SqliteTuning = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const parse = Object.hasOwn(TUNING, name) ? TUNING[name] : undefined;
    if (!parse)
      throw new ValidationError(`unknown option ${JSON.stringify(name)} in the sqlite: URL; known: ${Object.keys(TUNING).join(', ')}`, { path: 'url' });
    tuning = { ...tuning, ...parse(value) };
  }
  return new SqliteEngine({ ...tuning, path: rest });
}
