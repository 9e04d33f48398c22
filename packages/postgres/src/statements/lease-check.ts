import { LeaseModel } from '@sessions/core/engine';
import { column } from '../sql/identifiers.js';
import type { TableNames } from '../sql/tables.js';
import { keyCondition, type Placeholders } from './placeholders.js';

/**
 * The `lease` CTE of a fenced write: one row when the caller's lease is the session's
 * current, unexpired lease by the server clock. `FOR SHARE` keeps the lease row unchanged
 * until the write commits: an acquire, renew or release of that row waits for it, and a
 * row changed since this statement's snapshot is re-read (READ COMMITTED's re-check), so a
 * takeover that committed first makes the check fail. Every fenced statement takes the lease
 * row before the session row, so they cannot deadlock with each other.
 */
export function leaseCte(names: TableNames, p: Placeholders): string {
  return `lease AS (
    SELECT 1 FROM ${names.leases}
    WHERE ${keyCondition(LeaseModel, p)}
      AND ${column(LeaseModel, 'owner')} = ${p.at('owner', 'text')}
      AND ${column(LeaseModel, 'token')} = ${p.at('token', 'bigint')}
      AND ${column(LeaseModel, 'expiresAt')} > clock_timestamp()
    FOR SHARE
  )`;
}

/** Condition a fenced write adds to its WHERE clause. */
export const LEASE_HELD = 'EXISTS (SELECT 1 FROM lease)';
