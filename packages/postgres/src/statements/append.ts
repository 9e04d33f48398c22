import { MessageModel, SessionModel } from '@sessions/core/engine';
import type { ModelCodec } from '../sql/columns.js';
import { column, quoteIdent } from '../sql/identifiers.js';
import type { TableNames } from '../sql/tables.js';
import { LEASE_HELD, leaseCte } from './lease-check.js';
import { liveCondition } from './live-check.js';
import { unnestMessages } from './message-rows.js';
import { build, keyCondition, type NamedStatement } from './placeholders.js';

/**
 * Appends a batch in one statement, so in one round trip:
 * 1. (fenced) checks the lease and holds it (see `leaseCte`);
 * 2. bumps `last_seq` and `message_count` on the session row, if it is live (see
 *    `liveCondition`). The UPDATE takes the row lock, so appenders on one session queue
 *    here, and each one that waited re-reads the row as the previous one committed it: the
 *    seq range it gets is gap-free and its own, and the session is live as it stands then;
 * 3. inserts the messages with seq `base + 1 ... base + n` from what the UPDATE returned.
 * It is one statement, so a duplicate message id (a unique violation) undoes the bump too.
 * The last SELECT says why nothing was written, if nothing was: `leased` and `found`.
 */
export function appendStatement(names: TableNames, messages: ModelCodec, fenced: boolean): NamedStatement {
  return build((p) => {
    const s = (field: string) => column(SessionModel, field);
    const batch = unnestMessages(messages, p, { withSeq: false });
    const count = p.at('count', 'bigint');
    const targetColumns = ['userId', 'sessionId', 'seq', ...batch.fields].map((field) => column(MessageModel, field));
    const sourceColumns = [p.at('userId', 'text'), p.at('sessionId', 'text'), 'bumped.base + m.ord', ...batch.fields.map((field) => `m.${quoteIdent(field)}`)];
    return `
      WITH ${fenced ? `${leaseCte(names, p)},` : ''}
      bumped AS (
        UPDATE ${names.sessions}
        SET ${s('lastSeq')} = ${s('lastSeq')} + ${count},
            ${s('messageCount')} = ${s('messageCount')} + ${count},
            ${s('updatedAt')} = GREATEST(${s('updatedAt')}, ${p.at('updatedAt', 'timestamptz')})
        WHERE ${keyCondition(SessionModel, p)} AND ${liveCondition(p)}${fenced ? ` AND ${LEASE_HELD}` : ''}
        RETURNING ${s('lastSeq')} - ${count} AS base
      ),
      inserted AS (
        INSERT INTO ${names.messages} (${targetColumns.join(', ')})
        SELECT ${sourceColumns.join(', ')}
        FROM bumped, ${batch.from}
      )
      SELECT (SELECT base FROM bumped) AS base,
             ${fenced ? LEASE_HELD : 'TRUE'} AS leased,
             EXISTS (SELECT 1 FROM ${names.sessions} WHERE ${keyCondition(SessionModel, p)}) AS found`;
  });
}
