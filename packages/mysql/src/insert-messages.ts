import type { Message } from '@sessions/core';
import { write, type MysqlQueryable, type SqlParam } from './driver.js';
import type { Store } from './store.js';

const MAX_ROWS_PER_STATEMENT = 500;
/** Well under max_allowed_packet's default (16 MiB on MariaDB, 64 MiB on MySQL 8). */
const MAX_BYTES_PER_STATEMENT = 4 * 1024 * 1024;

/**
 * Inserts messages with multi-row INSERTs: one statement for a usual batch, several for a
 * batch too large for one packet. Callers run it inside their transaction, so a batch is
 * still all or nothing.
 */
export async function insertMessages(connection: MysqlQueryable, store: Store, messages: readonly Message[]): Promise<void> {
  let rows: SqlParam[][] = [];
  let bytes = 0;
  for (const message of messages) {
    const row = store.messages.encode(message as unknown as Record<string, unknown>);
    // UTF-16 length times 3 bounds the UTF-8 size from above.
    const size = row.reduce<number>((total, value) => total + (typeof value === 'string' ? value.length * 3 : 8), 0);
    if (rows.length > 0 && (rows.length >= MAX_ROWS_PER_STATEMENT || bytes + size > MAX_BYTES_PER_STATEMENT)) {
      await insertRows(connection, store, rows);
      rows = [];
      bytes = 0;
    }
    rows.push(row);
    bytes += size;
  }
  if (rows.length > 0) await insertRows(connection, store, rows);
}

async function insertRows(connection: MysqlQueryable, store: Store, rows: readonly SqlParam[][]): Promise<void> {
  const placeholders = `(${store.messages.fields.map(() => '?').join(', ')})`;
  await write(connection, `INSERT INTO ${store.tables.messages} (${store.messages.selectList}) VALUES ${rows.map(() => placeholders).join(', ')}`, rows.flat());
}
