import type { SessionKey } from '@sessions/core';
import type { SessionWriteOptions } from '@sessions/core/engine';
import type { SqlParam } from './driver.js';
import { fenceParams, fenceSql } from './leases.js';
import { liveCondition } from './live-condition.js';
import { KEY_CONDITION } from './store.js';
import type { Tables } from './tables.js';

/** A WHERE condition on the sessions table with its bound parameters, in order. */
export interface WriteGuard {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/**
 * The conditions a write to one session row is made under: the key, the session still being live
 * at `liveAt` (the caller's clock, bound as a parameter, never the server's NOW: session TTLs are
 * set on the manager's clock) and the lease (see `fenceSql`). Being part of the write's own WHERE,
 * they are checked atomically with it; a write that matches no row is explained afterwards by
 * `explainRejectedWrite`.
 */
export function writeGuard(tables: Tables, key: SessionKey, options: SessionWriteOptions): WriteGuard {
  const conditions = [KEY_CONDITION];
  const params: SqlParam[] = [key.userId, key.sessionId];
  if (options.liveAt) {
    const live = liveCondition(options.liveAt);
    conditions.push(live.sql);
    params.push(...live.params);
  }
  if (options.lease) {
    conditions.push(fenceSql(tables));
    params.push(...fenceParams(key, options.lease));
  }
  return { sql: conditions.join(' AND '), params };
}
