import type { Lease, LeaseRef, SessionKey } from '@sessions/core';
import type { AcquireLeaseInput, LeaseGrant } from '@sessions/core/engine';
import { NOW_MS, type Dialect } from './dialect.js';
import { select, write, type MysqlPool, type MysqlQueryable, type SqlParam } from './driver.js';
import type { Tables } from './tables.js';
import { retryConflicts, transaction } from './transaction.js';

/*
 * Leases live in one row per session, on the server's clock (NOW_MS): clients send durations,
 * never instants. Every operation is one statement (or, for acquire on MySQL, one short
 * transaction), so it works through any pooled connection. LAST_INSERT_ID(expr) carries the one
 * number each statement must report (the granted token, the new expiry) back in the OK packet,
 * whichever way mysql2 counts affected rows.
 */

const FREE = `(expires_at IS NULL OR expires_at <= ${NOW_MS})`;

/**
 * Grants the lease when the row is missing, released or expired; the token grows by one on every
 * grant and is never reset. The expiry is assigned last: MySQL evaluates ON DUPLICATE KEY UPDATE
 * assignments left to right, so every FREE test above it still sees the old expiry (and with
 * MariaDB's SIMULTANEOUS_ASSIGNMENT mode they all do anyway). LAST_INSERT_ID ends up as the
 * granted token, or 0 when someone else holds the lease.
 */
function acquireSql(tables: Tables): string {
  return `INSERT INTO ${tables.leases} (user_id, session_id, owner, token, expires_at)
VALUES (?, ?, ?, LAST_INSERT_ID(1), ${NOW_MS} + ?)
ON DUPLICATE KEY UPDATE
  token = IF(${FREE}, LAST_INSERT_ID(token + 1), token + LAST_INSERT_ID(0)),
  owner = IF(${FREE}, ?, owner),
  expires_at = IF(${FREE}, ${NOW_MS} + ?, expires_at)`;
}

export async function acquireLease(pool: MysqlPool, tables: Tables, dialect: Dialect, key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
  const ttl = BigInt(input.ttlMs);
  const params: SqlParam[] = [key.userId, key.sessionId, input.owner, ttl, input.owner, ttl];
  if (dialect.insertReturning) {
    // Concurrent upserts of a missing row can deadlock in InnoDB; the loser wrote nothing and runs again.
    const [row] = await retryConflicts(() => select(pool, `${acquireSql(tables)} RETURNING owner, token, expires_at, LAST_INSERT_ID()`, params));
    return toGrant(key, row!);
  }
  // No RETURNING on MySQL: read the row back inside the same transaction, under the row lock
  // the upsert took, so it is exactly the row this statement wrote.
  return transaction(pool, async (connection) => {
    const result = await write(connection, acquireSql(tables), params);
    const [row] = await select(connection, `SELECT owner, token, expires_at FROM ${tables.leases} WHERE user_id = ? AND session_id = ?`, [
      key.userId,
      key.sessionId,
    ]);
    return toGrant(key, [...row!, result.insertId]);
  });
}

function toGrant(key: SessionKey, row: readonly unknown[]): LeaseGrant {
  const [owner, token, expiresAt, granted] = row;
  if (Number(granted) > 0) {
    return {
      acquired: true,
      lease: { userId: key.userId, sessionId: key.sessionId, owner: String(owner), token: Number(token), expiresAt: new Date(Number(expiresAt)) },
    };
  }
  return { acquired: false, holder: String(owner), expiresAt: new Date(Number(expiresAt)) };
}

/** Extends the caller's own unexpired lease; the new expiry comes back as LAST_INSERT_ID. */
export async function renewLease(pool: MysqlPool, tables: Tables, lease: Lease, ttlMs: number): Promise<Lease | null> {
  const sql = `UPDATE ${tables.leases} SET expires_at = LAST_INSERT_ID(${NOW_MS} + ?)
WHERE user_id = ? AND session_id = ? AND owner = ? AND token = ? AND expires_at > ${NOW_MS}`;
  const params = [BigInt(ttlMs), lease.userId, lease.sessionId, lease.owner, BigInt(lease.token)];
  const result = await retryConflicts(() => write(pool, sql, params));
  if (result.insertId <= 0) return null;
  return { userId: lease.userId, sessionId: lease.sessionId, owner: lease.owner, token: lease.token, expiresAt: new Date(result.insertId) };
}

/**
 * Ends the caller's own lease and keeps its token. A lease that had expired but was not taken
 * over is cleared too, yet reports false: it was no longer held.
 */
export async function releaseLease(pool: MysqlPool, tables: Tables, key: SessionKey, lease: LeaseRef): Promise<boolean> {
  const sql = `UPDATE ${tables.leases} SET token = IF(expires_at > ${NOW_MS}, LAST_INSERT_ID(token), token), expires_at = NULL
WHERE user_id = ? AND session_id = ? AND owner = ? AND token = ? AND expires_at IS NOT NULL`;
  const result = await retryConflicts(() => write(pool, sql, [key.userId, key.sessionId, lease.owner, BigInt(lease.token)]));
  return result.insertId > 0;
}

/**
 * A condition true only while `lease` is the session's current, unexpired lease. It reads the
 * lease row with a shared lock, whatever the isolation level: until the writing transaction
 * ends, nobody can take the lease over, so a write that passed the check commits before the
 * next holder's lease begins. Binds four parameters, from `fenceParams`.
 */
export function fenceSql(tables: Tables): string {
  return `EXISTS (SELECT 1 FROM ${tables.leases} WHERE user_id = ? AND session_id = ? AND owner = ? AND token = ? AND expires_at > ${NOW_MS} LOCK IN SHARE MODE)`;
}

export function fenceParams(key: SessionKey, lease: LeaseRef): SqlParam[] {
  return [key.userId, key.sessionId, lease.owner, BigInt(lease.token)];
}

/** Whether `lease` is the session's current, unexpired lease right now. */
export async function holdsLease(target: MysqlQueryable, tables: Tables, key: SessionKey, lease: LeaseRef): Promise<boolean> {
  const rows = await select(
    target,
    `SELECT 1 FROM ${tables.leases} WHERE user_id = ? AND session_id = ? AND owner = ? AND token = ? AND expires_at > ${NOW_MS}`,
    [key.userId, key.sessionId, lease.owner, BigInt(lease.token)],
  );
  return rows.length > 0;
}
