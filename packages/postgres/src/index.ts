export { PostgresEngine } from './postgres-engine.js';
export { fromUrl } from './from-url.js';
export type { PostgresEngineOptions } from './options.js';
export type { PgPool, PgPoolClient, PgQueryable, PgQueryConfig, PgQueryResult, PgTypeParsers } from './pg-client.js';
export type { TableNames } from './sql/tables.js';
export { LATEST_VERSION as SCHEMA_VERSION } from './schema/migrations.js';
