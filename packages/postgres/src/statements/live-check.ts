import { SessionModel } from '@sessions/core/engine';
import { column } from '../sql/identifiers.js';
import type { Placeholders } from './placeholders.js';

/**
 * Condition a write adds so it never reaches a session that expired by the caller's `liveAt`.
 * It is part of the write's own WHERE clause (or row lock), so it is judged on the row the write
 * changes. A null `liveAt` (not given) or `expires_at` (no TTL) makes it true, so one prepared
 * statement serves both. `liveAt` is a bound parameter, never the server's clock: session TTLs
 * are on the caller's clock.
 */
export function liveCondition(p: Placeholders, alias?: string): string {
  const expiresAt = `${alias ? `${alias}.` : ''}${column(SessionModel, 'expiresAt')}`;
  return `COALESCE(${expiresAt} > ${p.at('liveAt', 'timestamptz')}, TRUE)`;
}
