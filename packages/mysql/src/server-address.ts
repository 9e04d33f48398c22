const UNKNOWN = 'the MySQL server';

interface ConnectionConfig {
  host?: unknown;
  port?: unknown;
  socketPath?: unknown;
}

/**
 * "the MySQL server at host:port", for messages about a server that did not answer. Only the host
 * and port (or socket path) are taken from the URI or an injected mysql2 pool's configuration:
 * never the user, password or query string.
 */
export function describeServer(source: { uri?: string | undefined; pool?: unknown }): string {
  let host: string | undefined;
  let port: string | undefined;
  if (source.uri !== undefined) {
    try {
      const url = new URL(source.uri);
      host = url.searchParams.get('socketPath') ?? url.hostname;
      port = url.port;
    } catch {
      // Not a URL mysql2 would read either; the generic name will do.
    }
  } else {
    // A mysql2/promise pool wraps the callback pool, whose config holds the connection's.
    const config = (source.pool as { pool?: { config?: { connectionConfig?: ConnectionConfig } } } | undefined)?.pool?.config?.connectionConfig;
    host = typeof config?.socketPath === 'string' ? config.socketPath : typeof config?.host === 'string' ? config.host : undefined;
    port = typeof config?.port === 'number' ? String(config.port) : undefined;
  }
  if (host === undefined || host === '') return UNKNOWN;
  return `${UNKNOWN} at ${host.includes('/') ? host : `${host}:${port || 3306}`}`;
}
