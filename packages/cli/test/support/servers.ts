import { createTestStore as createMysqlStore } from '@sessions/mysql/testing';
import { createTestStore as createPostgresStore } from '@sessions/postgres/testing';
import { createTestStore as createRedisStore } from '@sessions/redis/testing';

/** An isolated place on a real server: a store URL for it, and how to remove it afterwards. */
export interface ServerStore {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL schema (`?schema=`), dropped with everything in it. */
export const postgresStore = (): Promise<ServerStore> => createPostgresStore({ prefix: 'cli_' });

/** A fresh MySQL/MariaDB database, dropped afterwards. */
export const mysqlStore = (): Promise<ServerStore> => createMysqlStore({ prefix: 'cli_' });

/** A fresh Redis key prefix (`?prefix=`), whose keys are deleted afterwards. */
export const redisStore = (): Promise<ServerStore> => createRedisStore({ prefix: 'cli:' });
