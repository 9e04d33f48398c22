export { SqliteEngine } from './sqlite-engine.js';
export { fromUrl } from './from-url.js';
export { BusyTimeoutError } from './busy.js';
export { SCHEMA_VERSION } from './schema/migrate.js';
export type { SqliteEngineOptions, SqlitePathOptions, SqliteDatabaseOptions, SqliteTuning, SqliteSynchronous } from './options.js';
export type { SqliteDatabase, SqliteStatement, SqliteTransaction, SqliteRunResult } from './database.js';
