import { connect } from 'node:net';
import { AdapterNotInstalledError } from '@sessions/core';
import type { MysqlPool } from './driver.js';
import type { ResolvedOptions } from './options.js';
import type { SocketTracker } from '@sessions/core/engine';

interface Mysql2Promise {
  createPool(config: Record<string, unknown>): MysqlPool;
}

/** What mysql2 hands its `stream` factory: the connection's settings. */
interface StreamFactoryInput {
  config: { host?: string; port?: number; socketPath?: string };
}

/** Keepalive probes start after this long without traffic, so a dead peer is noticed in minutes, not the OS's two hours. */
const KEEPALIVE_IDLE_MS = 30_000;

/**
 * Creates the pool for an engine given a `uri`. mysql2 is loaded here, on first setup, so a
 * missing peer dependency is a clear AdapterNotInstalledError rather than an import failure.
 * Its sockets are made here (mysql2's `stream` option) and kept in `sockets`, so `close()` can
 * destroy the ones a silent server never lets go of.
 */
export async function createPool(options: ResolvedOptions, sockets: SocketTracker): Promise<MysqlPool> {
  const uri = options.uri!;
  let mysql: Mysql2Promise;
  try {
    const module = (await import('mysql2/promise')) as unknown as Mysql2Promise & { default?: Mysql2Promise };
    mysql = module.default ?? module;
  } catch (error) {
    throw new AdapterNotInstalledError('mysql2', uri, { cause: error });
  }
  return mysql.createPool({
    uri,
    connectionLimit: options.connectionLimit,
    // Evicted statements are closed on the server; this bounds what one pool holds there
    // (max_prepared_stmt_count is server-wide, 16382 by default).
    maxPreparedStatements: 256,
    enableKeepAlive: true,
    keepAliveInitialDelay: KEEPALIVE_IDLE_MS,
    // What mysql2 does itself when given no stream (connect, no Nagle, keepalive), plus tracking.
    stream: ({ config }: StreamFactoryInput) => {
      const socket = config.socketPath ? connect(config.socketPath) : connect(config.port ?? 3306, config.host ?? 'localhost');
      socket.setNoDelay(true);
      socket.once('connect', () => socket.setKeepAlive(true, KEEPALIVE_IDLE_MS));
      return sockets.track(socket);
    },
    ...options.poolOptions,
  });
}
