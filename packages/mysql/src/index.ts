export { MysqlEngine } from './mysql-engine.js';
export { fromUrl } from './from-url.js';
export { DEFAULT_TABLE_PREFIX, type MysqlEngineOptions } from './options.js';
export type { MysqlPool, MysqlPoolConnection, MysqlQueryable, StatementOptions } from './driver.js';
export type { Dialect } from './dialect.js';
export type { Tables } from './tables.js';
export { SCHEMA_VERSION } from './migrations.js';
