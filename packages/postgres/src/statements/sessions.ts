import { MessageModel, SessionModel } from '@sessions/core/engine';
import type { ModelCodec } from '../sql/columns.js';
import { column, quoteIdent } from '../sql/identifiers.js';
import type { TableNames } from '../sql/tables.js';
import { LEASE_HELD, leaseCte } from './lease-check.js';
import { liveCondition } from './live-check.js';
import { unnestMessages } from './message-rows.js';
import { build, keyCondition, type NamedStatement } from './placeholders.js';

export function getSessionStatement(names: TableNames, sessions: ModelCodec): NamedStatement {
  return build((p) => `SELECT ${sessions.selectList} FROM ${names.sessions} WHERE ${keyCondition(SessionModel, p)}`);
}

/**
 * Inserts a session and its initial messages (fork, import) in one statement. An existing
 * session makes the insert do nothing, and then no message is written either.
 */
export function createSessionStatement(names: TableNames, sessions: ModelCodec, messages: ModelCodec): NamedStatement {
  return build((p) => {
    const sessionColumns = sessions.columns.map((codec) => quoteIdent(codec.column));
    const sessionValues = sessions.columns.map((codec) => p.at(codec.field, codec.sqlType));
    const batch = unnestMessages(messages, p, { withSeq: true });
    const messageColumns = ['userId', 'sessionId', ...batch.fields].map((field) => column(MessageModel, field));
    const messageValues = [p.at('userId', 'text'), p.at('sessionId', 'text'), ...batch.fields.map((field) => `m.${quoteIdent(field)}`)];
    return `
      WITH created AS (
        INSERT INTO ${names.sessions} (${sessionColumns.join(', ')})
        VALUES (${sessionValues.join(', ')})
        ON CONFLICT DO NOTHING
        RETURNING 1
      ),
      inserted AS (
        INSERT INTO ${names.messages} (${messageColumns.join(', ')})
        SELECT ${messageValues.join(', ')}
        FROM ${batch.from}
        WHERE EXISTS (SELECT 1 FROM created)
      )
      SELECT EXISTS (SELECT 1 FROM created) AS created`;
  });
}

/** Which `updateSession` statement: the fields it sets, and whether it is fenced or versioned. */
export interface UpdateShape {
  readonly fields: readonly string[];
  readonly fenced: boolean;
  readonly versioned: boolean;
}

/**
 * Sets the given fields and bumps `version`, in one statement that also checks the lease, that
 * the session is live and the expected version. Concurrent updates queue on the row lock, and
 * one that waited re-checks `version` and `expires_at` on the row as committed, so an optimistic
 * update can never overwrite another.
 * It always returns one row: the flags (`found` means present and live), and the session's
 * columns when it was updated.
 */
export function updateSessionStatement(names: TableNames, sessions: ModelCodec, shape: UpdateShape): NamedStatement {
  return build((p) => {
    const assignments = shape.fields.map((field) => {
      const codec = sessions.byField.get(field)!;
      return `${quoteIdent(codec.column)} = ${p.at(`set_${field}`, codec.sqlType)}`;
    });
    const version = column(SessionModel, 'version');
    assignments.push(`${version} = ${version} + 1`);
    const conditions = [keyCondition(SessionModel, p), liveCondition(p)];
    if (shape.fenced) conditions.push(LEASE_HELD);
    if (shape.versioned) conditions.push(`${version} = ${p.at('expectedVersion', 'bigint')}`);
    return `
      WITH ${shape.fenced ? `${leaseCte(names, p)},` : ''}
      updated AS (
        UPDATE ${names.sessions} SET ${assignments.join(', ')}
        WHERE ${conditions.join(' AND ')}
        RETURNING ${sessions.selectList}
      )
      SELECT flags.leased, flags.found, updated.*
      FROM (SELECT ${shape.fenced ? LEASE_HELD : 'TRUE'} AS leased,
                   EXISTS (SELECT 1 FROM ${names.sessions} WHERE ${keyCondition(SessionModel, p)} AND ${liveCondition(p)}) AS found) AS flags
      LEFT JOIN updated ON TRUE`;
  });
}

/** Deletes one session (its messages go by the foreign key's cascade). */
export function deleteSessionStatement(names: TableNames, fenced: boolean): NamedStatement {
  return build((p) =>
    fenced
      ? `WITH ${leaseCte(names, p)},
         deleted AS (DELETE FROM ${names.sessions} WHERE ${keyCondition(SessionModel, p)} AND ${LEASE_HELD} RETURNING 1)
         SELECT ${LEASE_HELD} AS leased, EXISTS (SELECT 1 FROM deleted) AS deleted`
      : `WITH deleted AS (DELETE FROM ${names.sessions} WHERE ${keyCondition(SessionModel, p)} RETURNING 1)
         SELECT TRUE AS leased, EXISTS (SELECT 1 FROM deleted) AS deleted`,
  );
}

export function deleteExpiredStatement(names: TableNames): NamedStatement {
  return build((p) => `DELETE FROM ${names.sessions} WHERE ${column(SessionModel, 'expiresAt')} <= ${p.at('now', 'timestamptz')}`);
}
