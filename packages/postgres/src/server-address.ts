const UNKNOWN = 'the PostgreSQL server';

/**
 * "the PostgreSQL server at host:port", for messages about a server that did not answer. Only
 * the host and port are taken from the connection string (or an injected `pg.Pool`'s options):
 * never the user, password or query string.
 */
export function describeServer(source: { connectionString?: string | undefined; pool?: unknown }): string {
  const options = (source.pool as { options?: { host?: unknown; port?: unknown; connectionString?: unknown } } | undefined)?.options;
  const connectionString = source.connectionString ?? (typeof options?.connectionString === 'string' ? options.connectionString : undefined);
  let host = typeof options?.host === 'string' ? options.host : undefined;
  let port = typeof options?.port === 'number' || typeof options?.port === 'string' ? String(options.port) : undefined;
  if (connectionString !== undefined) {
    try {
      const url = new URL(connectionString);
      host = url.searchParams.get('host') ?? (url.hostname || host);
      port = url.searchParams.get('port') ?? (url.port || port);
    } catch {
      // Not a URL pg would read either; the generic name will do.
    }
  }
  if (host === undefined || host === '') return UNKNOWN;
  return `${UNKNOWN} at ${host.includes('/') ? host : `${host}:${port ?? 5432}`}`;
}
