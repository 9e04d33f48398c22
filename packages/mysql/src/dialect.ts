import { ValidationError } from '@sessions/core';
import { select, type MysqlQueryable } from './driver.js';

/** What differs between the servers the engine supports, detected once at setup. */
export interface Dialect {
  readonly flavour: 'mysql' | 'mariadb';
  /** e.g. `10.11.6-MariaDB` or `8.0.36`. */
  readonly version: string;
  /**
   * A binary, NO PAD utf8mb4 collation: compares and sorts by code point, case-sensitively,
   * and keeps trailing spaces significant (`utf8mb4_bin` is PAD SPACE: 'a' = 'a ' there).
   */
  readonly collation: 'utf8mb4_0900_bin' | 'utf8mb4_nopad_bin';
  /** `INSERT ... RETURNING` (MariaDB 10.5+); MySQL has none. */
  readonly insertReturning: boolean;
}

const MINIMUM = { mysql: [8, 0, 17], mariadb: [10, 5, 0] } as const;

/**
 * The server's clock in epoch milliseconds, computed on the server and independent of the
 * session time zone: UTC_TIMESTAMP is UTC whatever `time_zone` says, and TIMESTAMPDIFF on two
 * DATETIMEs is plain calendar arithmetic. Every lease expiry is compared with this, never with
 * a client's clock. It is constant within one statement.
 */
export const NOW_MS = `(TIMESTAMPDIFF(MICROSECOND, '1970-01-01', UTC_TIMESTAMP(3)) DIV 1000)`;

/** Reads the server version and checks the connection can carry every Unicode character. */
export async function detectServer(connection: MysqlQueryable): Promise<{ dialect: Dialect; database: string }> {
  const [row] = await select(connection, 'SELECT VERSION(), @@character_set_client, @@character_set_connection, @@character_set_results, DATABASE()', []);
  const [version, client, connectionCharset, results, database] = (row ?? []).map((value) => (value === null ? null : String(value)));
  if (!version) throw new Error('the server did not report its version');
  assertDatabaseSelected(database);
  for (const [name, charset] of [
    ['character_set_client', client],
    ['character_set_connection', connectionCharset],
    ['character_set_results', results],
  ] as const) {
    if (charset !== 'utf8mb4') {
      throw new ValidationError(
        `the connection's ${name} is ${charset ?? 'NULL'}, not utf8mb4: create the pool with charset 'utf8mb4' (mysql2's default) so 4-byte characters survive`,
        {
          path: 'options.pool',
        },
      );
    }
  }
  const flavour = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  const numbers = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  if (numbers.length !== 3 || compareVersions(numbers, MINIMUM[flavour]) < 0) {
    const minimum = MINIMUM[flavour].join('.');
    throw new Error(`${flavour === 'mariadb' ? 'MariaDB' : 'MySQL'} ${version} is too old: @sessions/mysql needs ${minimum} or newer`);
  }
  const dialect: Dialect = Object.freeze({
    flavour,
    version,
    collation: flavour === 'mariadb' ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin',
    insertReturning: flavour === 'mariadb',
  });
  return { dialect, database };
}

/** `DATABASE()` is NULL on a connection that selected none, where every table name would be unqualified and fail. */
export function assertDatabaseSelected(database: unknown): asserts database is string {
  if (database === null || database === undefined || database === '') {
    throw new ValidationError('no database selected: name one in the URI (mysql://user@host:3306/database) or the pool options', { path: 'options' });
  }
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < b.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
