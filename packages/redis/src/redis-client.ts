import type { ConnectionOptions } from 'node:tls';

/**
 * The client types of this package: only what the engine calls, as Kysely types `pg` by its
 * own small interfaces, so the published API does not depend on ioredis' types. An ioredis
 * `Redis` or `Cluster` fits them as it is (the package's type tests check it).
 */

/** A command argument. */
export type RedisArg = string | number;

/** A pipeline: commands queued on it and sent together by `exec()`. */
export interface RedisPipeline {
  hgetall(key: string): RedisPipeline;
  exists(...keys: string[]): RedisPipeline;
  zcard(key: string): RedisPipeline;
  zcount(key: string, min: RedisArg, max: RedisArg): RedisPipeline;
  zlexcount(key: string, min: RedisArg, max: RedisArg): RedisPipeline;
  zrange(key: string, min: RedisArg, max: RedisArg, by: 'BYSCORE'): RedisPipeline;
  call(command: string, ...args: RedisArg[]): RedisPipeline;
  /** Each command's error or reply, in order; null when the pipeline was discarded. */
  exec(): Promise<Array<[error: Error | null, reply: unknown]> | null>;
}

/**
 * The client `RedisEngine` works with: a single Redis or a Cluster. The engine defines its Lua
 * scripts on it (`defineCommand`) and calls them by name, on the client or a pipeline.
 *
 * @example
 * import { Cluster } from 'ioredis'
 * const client: RedisClient = new Cluster([{ host: '127.0.0.1', port: 7000 }])
 * const engine = new RedisEngine({ client })
 */
export interface RedisClient {
  /** True for a Cluster client: WAIT then goes to every master (`nodes('master')`). */
  readonly isCluster?: boolean;
  /** A Cluster's connections to its masters (absent on a single server). */
  nodes?(role: 'master'): Array<{ call(command: string, ...args: RedisArg[]): Promise<unknown> }>;
  defineCommand(name: string, definition: { lua: string; readOnly?: boolean }): void;
  pipeline(): RedisPipeline;
  call(command: string, ...args: RedisArg[]): Promise<unknown>;
  info(section: string): Promise<string>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'NX'): Promise<'OK' | null>;
  del(...keys: string[]): Promise<number>;
  hgetall(key: string): Promise<Record<string, string>>;
  sadd(key: string, ...members: string[]): Promise<number>;
  srem(key: string, ...members: string[]): Promise<number>;
  sscan(key: string, cursor: string, count: 'COUNT', howMany: number): Promise<[cursor: string, members: string[]]>;
  zrange(key: string, min: RedisArg, max: RedisArg, by?: 'BYSCORE'): Promise<string[]>;
}

/**
 * A client the engine (or the test store) creates from a URL, and so connects and closes
 * itself. Internal: the public API only ever sees it as a `RedisClient`.
 */
export interface RedisConnection extends RedisClient {
  /** ioredis' connection state: 'wait' before connect(), 'ready' when usable, 'end' once closed, others in between. */
  readonly status: string;
  /** Where it connects to (no credentials are read from here). */
  readonly options: { readonly host?: string; readonly port?: number; readonly path?: string | null };
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'end', listener: () => void): unknown;
  ping(): Promise<string>;
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', howMany: number): Promise<[cursor: string, keys: string[]]>;
  unlink(...keys: string[]): Promise<number>;
}

/**
 * Options for the client the engine creates from `url` (`redisOptions`), under ioredis' names;
 * see ioredis' `RedisOptions`. For anything not listed, create the client yourself and pass it
 * as `client`.
 */
export interface RedisClientOptions {
  username?: string;
  password?: string;
  db?: number;
  /** Sent as CLIENT SETNAME; shows in CLIENT LIST. */
  connectionName?: string;
  tls?: ConnectionOptions;
  family?: number;
  connectTimeout?: number;
  /** A command without a reply after this long fails. */
  commandTimeout?: number;
  socketTimeout?: number;
  keepAlive?: number;
  noDelay?: boolean;
  maxRetriesPerRequest?: number | null;
  maxLoadingRetryTime?: number;
  /** Delay before reconnect attempt `times`; a non-number stops reconnecting. */
  retryStrategy?: (times: number) => number | void | null;
  reconnectOnError?: ((error: Error) => boolean | 1 | 2) | null;
  enableReadyCheck?: boolean;
  enableAutoPipelining?: boolean;
  autoPipeliningIgnoredCommands?: string[];
  showFriendlyErrorStack?: boolean;
  lazyConnect?: boolean;
  enableOfflineQueue?: boolean;
  autoResendUnfulfilledCommands?: boolean;
}
