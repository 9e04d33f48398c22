import { MessageModel, SessionModel } from '@sessions/core/engine';
import type { ModelCodec } from '../sql/columns.js';
import { column } from '../sql/identifiers.js';
import type { TableNames } from '../sql/tables.js';
import { LEASE_HELD, leaseCte } from './lease-check.js';
import { liveCondition } from './live-check.js';
import { build, keyCondition, type NamedStatement } from './placeholders.js';

/**
 * Messages with `afterSeq < seq < beforeSeq`, oldest first (or newest first, for `last`),
 * read as a range of the primary key index.
 *
 * With `live`, the statement also reads the session row and returns nothing if the session
 * expired by `liveAt` (see `liveCondition`). Being one statement, both reads share one snapshot,
 * so a TTL changed or a session deleted concurrently is seen either before or after, never half.
 * The check refers to no message column, so PostgreSQL runs it once, as a one-time filter
 * before the index scan, and an expired session's messages are never read. Without `live`
 * the sessions table is not touched, so reads that check no expiry pay nothing for it.
 */
export function readMessagesStatement(names: TableNames, messages: ModelCodec, direction: 'ASC' | 'DESC', live: boolean): NamedStatement {
  const seq = column(MessageModel, 'seq');
  return build(
    (p) => `
      SELECT ${messages.selectList} FROM ${names.messages}
      WHERE ${keyCondition(MessageModel, p)} AND ${seq} > ${p.at('afterSeq', 'bigint')} AND ${seq} < ${p.at('beforeSeq', 'bigint')}
      ${live ? `AND EXISTS (SELECT 1 FROM ${names.sessions} AS s WHERE ${keyCondition(SessionModel, p, 's')} AND ${liveCondition(p, 's')})` : ''}
      ORDER BY ${seq} ${direction}
      LIMIT ${p.at('limit', 'bigint')}`,
  );
}

/**
 * First step of `clearMessages` and `truncateMessages`: checks the lease and locks the session
 * row. Holding that lock, the delete that follows (a new statement, so a new snapshot) sees
 * every append that committed before, and no append can commit until this transaction does.
 * `found` is whether the session is there and live; FOR UPDATE re-reads a row changed since the
 * snapshot, so it judges `expires_at` as last committed, and nothing can change it until commit.
 */
export function lockSessionStatement(names: TableNames, fenced: boolean): NamedStatement {
  const expiresAt = column(SessionModel, 'expiresAt');
  return build(
    (p) => `
      WITH ${fenced ? `${leaseCte(names, p)},` : ''}
      locked AS (SELECT ${expiresAt} FROM ${names.sessions} WHERE ${keyCondition(SessionModel, p)} FOR UPDATE)
      SELECT ${fenced ? LEASE_HELD : 'TRUE'} AS leased, EXISTS (SELECT 1 FROM locked WHERE ${liveCondition(p, 'locked')}) AS found`,
  );
}

/** Second step of `clearMessages`: deletes the messages and resets the count; `last_seq` stays. */
export function clearMessagesStatement(names: TableNames): NamedStatement {
  const s = (field: string) => column(SessionModel, field);
  return build(
    (p) => `
      WITH cleared AS (DELETE FROM ${names.messages} WHERE ${keyCondition(MessageModel, p)} RETURNING 1)
      UPDATE ${names.sessions} SET ${s('messageCount')} = 0, ${s('updatedAt')} = ${p.at('updatedAt', 'timestamptz')}
      WHERE ${keyCondition(SessionModel, p)}
      RETURNING (SELECT count(*) FROM cleared) AS cleared`,
  );
}

/**
 * Second step of `truncateMessages`: deletes the messages after `afterSeq` and takes them off
 * the count; `last_seq` stays, so their seq values are never handed out again.
 */
export function truncateMessagesStatement(names: TableNames): NamedStatement {
  const s = (field: string) => column(SessionModel, field);
  return build(
    (p) => `
      WITH removed AS (
        DELETE FROM ${names.messages}
        WHERE ${keyCondition(MessageModel, p)} AND ${column(MessageModel, 'seq')} > ${p.at('afterSeq', 'bigint')}
        RETURNING 1
      )
      UPDATE ${names.sessions}
      SET ${s('messageCount')} = ${s('messageCount')} - (SELECT count(*) FROM removed), ${s('updatedAt')} = ${p.at('updatedAt', 'timestamptz')}
      WHERE ${keyCondition(SessionModel, p)}
      RETURNING (SELECT count(*) FROM removed) AS removed`,
  );
}

/** Which of a batch's message ids the session already has (to name it in `MessageExistsError`). */
export function findMessageIdsStatement(names: TableNames): NamedStatement {
  const id = column(MessageModel, 'id');
  return build((p) => `SELECT ${id} AS id FROM ${names.messages} WHERE ${keyCondition(MessageModel, p)} AND ${id} = ANY(${p.at('ids', 'text[]')}) LIMIT 1`);
}
