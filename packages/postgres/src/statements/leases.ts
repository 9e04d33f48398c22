import { LeaseModel } from '@sessions/core/engine';
import { epochMs, serverClockPlus } from '../sql/timestamps.js';
import { column } from '../sql/identifiers.js';
import type { TableNames } from '../sql/tables.js';
import { build, keyCondition, type NamedStatement } from './placeholders.js';

const owner = column(LeaseModel, 'owner');
const token = column(LeaseModel, 'token');
const expiresAt = column(LeaseModel, 'expiresAt');

/**
 * Grants the lease when there is none, or the current one expired or was released, in one
 * upsert: a first grant gets token 1 and every later grant the stored token + 1, so tokens
 * never go down. Expiry is judged and set by the server clock from a duration; the client's
 * clock is never involved. ON CONFLICT locks the row, so of two racing acquirers exactly one
 * sees it expired. When the lease is held, the second part reports the holder; a holder row
 * that is newer than this statement's snapshot yields no row at all, and the caller retries.
 */
export function acquireLeaseStatement(names: TableNames): NamedStatement {
  return build((p) => {
    const key = [column(LeaseModel, 'userId'), column(LeaseModel, 'sessionId')].join(', ');
    return `
      WITH granted AS (
        INSERT INTO ${names.leases} AS l (${key}, ${owner}, ${token}, ${expiresAt})
        VALUES (${p.at('userId', 'text')}, ${p.at('sessionId', 'text')}, ${p.at('owner', 'text')}, 1, ${serverClockPlus(p.at('ttlMs'))})
        ON CONFLICT (${key}) DO UPDATE
        SET ${owner} = EXCLUDED.${owner}, ${token} = l.${token} + 1, ${expiresAt} = EXCLUDED.${expiresAt}
        WHERE l.${expiresAt} IS NULL OR l.${expiresAt} <= clock_timestamp()
        RETURNING ${owner} AS owner, ${token} AS token, ${expiresAt} AS expires_at
      ),
      held AS (
        SELECT ${owner} AS owner, ${token} AS token, ${expiresAt} AS expires_at FROM ${names.leases}
        WHERE ${keyCondition(LeaseModel, p)} AND NOT EXISTS (SELECT 1 FROM granted)
        FOR SHARE
      )
      SELECT TRUE AS acquired, owner, token, ${epochMs('expires_at')} AS "expiresAt" FROM granted
      UNION ALL
      SELECT FALSE, owner, token, ${epochMs('expires_at')} FROM held`;
  });
}

/** Extends the caller's own unexpired lease by the server clock; no row when it was lost. */
export function renewLeaseStatement(names: TableNames): NamedStatement {
  return build(
    (p) => `
      UPDATE ${names.leases} SET ${expiresAt} = ${serverClockPlus(p.at('ttlMs'))}
      WHERE ${keyCondition(LeaseModel, p)} AND ${owner} = ${p.at('owner', 'text')} AND ${token} = ${p.at('token', 'bigint')}
        AND ${expiresAt} > clock_timestamp()
      RETURNING ${epochMs(expiresAt)} AS "expiresAt"`,
  );
}

/**
 * Ends the caller's own lease, keeping its token. Like the reference engine it also clears
 * its own lease that expired but was not taken over, and then reports false (not held).
 */
export function releaseLeaseStatement(names: TableNames): NamedStatement {
  return build((p) => {
    const mine = `${keyCondition(LeaseModel, p)} AND ${owner} = ${p.at('owner', 'text')} AND ${token} = ${p.at('token', 'bigint')} AND ${expiresAt} IS NOT NULL`;
    return `
      WITH mine AS (SELECT ${expiresAt} > clock_timestamp() AS held FROM ${names.leases} WHERE ${mine} FOR UPDATE),
      released AS (UPDATE ${names.leases} SET ${expiresAt} = NULL WHERE ${mine} AND EXISTS (SELECT 1 FROM mine) RETURNING 1)
      SELECT held FROM mine`;
  });
}
