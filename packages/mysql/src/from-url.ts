import { normalizeMysqlUri } from './connection-uri.js';
import { MysqlEngine } from './mysql-engine.js';
import type { MysqlEngineOptions } from './options.js';

/** URL query parameters that configure the engine rather than mysql2. */
const ENGINE_PARAMETERS = ['tablePrefix', 'connectionLimit'] as const;

/**
 * Builds an engine from a `mysql://` or `mariadb://` URL; what `createEngine(url)` calls. Engine
 * options may ride along as query parameters (`?tablePrefix=chat_&connectionLimit=20`); any other
 * parameter is passed to mysql2 (e.g. `?ssl={"rejectUnauthorized":true}`), except those that
 * would break the engine (`typeCast`, `rowsAsArray`, ...), which are refused by name; `?user=` and
 * `?password=` are used as the user name and password.
 *
 * @example
 * const engine = fromUrl('mariadb://app:secret@db.internal:3306/app?tablePrefix=chat_')
 * await engine.setup()
 */
export function fromUrl(url: string): MysqlEngine {
  const parsed = new URL(normalizeMysqlUri(url, 'url'));
  const options: MysqlEngineOptions = {};
  for (const name of ENGINE_PARAMETERS) {
    const value = parsed.searchParams.get(name);
    if (value === null) continue;
    parsed.searchParams.delete(name);
    if (name === 'tablePrefix') options.tablePrefix = value;
    else options.connectionLimit = Number(value);
  }
  options.uri = parsed.toString();
  return new MysqlEngine(options);
}
