export { FaultProxy, type ProxyTarget } from './fault-proxy.js';
export type { Direction, FaultMode } from './lane.js';
export { countingPool, type PoolShape, type StatementLog } from './counting-pool.js';
