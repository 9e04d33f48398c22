import { parseConnectionUrl } from '@sessions/core/engine';
import { URL_SHAPE } from './options.js';
import { PostgresEngine } from './postgres-engine.js';

/**
 * Builds an engine from a `postgres://` or `postgresql://` URL; `createEngine(url)` calls
 * this. Two query parameters are the engine's own and are not passed to `pg`: `schema` and
 * `tablePrefix`. Everything else (`sslmode`, `application_name`, ...) goes to `pg` as is.
 *
 * @example
 * const engine = fromUrl('postgres://app@db.internal:5432/app?schema=chat')
 * await engine.setup()
 */
export function fromUrl(url: string): PostgresEngine {
  const parsed = parseConnectionUrl(url, URL_SHAPE);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  const tablePrefix = parsed.searchParams.get('tablePrefix') ?? undefined;
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('tablePrefix');
  return new PostgresEngine({ connectionString: parsed.toString(), schema, tablePrefix });
}
