import { setTimeout as sleep } from 'node:timers/promises';
import type { MysqlPool, MysqlPoolConnection } from './driver.js';
import { isFatal, isRetryableConflict } from './server-errors.js';

const MAX_ATTEMPTS = 5;

/**
 * Runs `body` on one connection checked out of the pool. A connection that failed fatally
 * (killed, reset) is destroyed rather than returned, so the pool never hands it out again.
 */
export async function withConnection<T>(pool: MysqlPool, body: (connection: MysqlPoolConnection, discard: () => void) => Promise<T>): Promise<T> {
  const connection = await pool.getConnection();
  let broken = false;
  try {
    return await body(connection, () => (broken = true));
  } catch (error) {
    if (isFatal(error)) broken = true;
    throw error;
  } finally {
    if (broken) connection.destroy();
    else connection.release();
  }
}

/**
 * Runs `body` in a transaction on one connection: COMMIT when it returns, ROLLBACK when it
 * throws (its error, typed or not, is rethrown). A deadlock makes the server roll the whole
 * transaction back, so it is run again from the start, a few times, before giving up.
 */
export function transaction<T>(pool: MysqlPool, body: (connection: MysqlPoolConnection) => Promise<T>): Promise<T> {
  return retryConflicts(() =>
    withConnection(pool, async (connection, discard) => {
      await connection.query('START TRANSACTION');
      try {
        const result = await body(connection);
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        // A connection whose rollback failed holds a transaction of unknown state: drop it.
        if (!isFatal(error)) await connection.query('ROLLBACK').catch(discard);
        throw error;
      }
    }),
  );
}

/** Runs `attempt` again when the server rolled it back for a deadlock; statements and whole transactions alike. */
export async function retryConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
      await sleep(Math.random() * 10 * tries);
    }
  }
}
