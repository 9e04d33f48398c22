export { FaultProxy, type ProxyTarget } from './fault-proxy.js';
export type { Direction, FaultMode } from './lane.js';
export { countingPool, type PoolShape, type StatementLog } from './counting-pool.js';
export { MYSQL2_POOL, PG_POOL, type PgStatement } from './pool-shapes.js';
export { inMemoryBackend, testStoreBackend, type OpenStore, type StoreBackend, type TestEngine, type TestStoreLike } from './store-backend.js';
