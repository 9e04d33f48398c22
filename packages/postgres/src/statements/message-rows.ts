import { type Message } from '@sessions/core';
import { MessageModel, type NewMessage } from '@sessions/core/engine';
import type { ModelCodec } from '../sql/columns.js';
import { quoteIdent } from '../sql/identifiers.js';
import type { Placeholders } from './placeholders.js';

/** Fields the caller supplies for each message of a batch (the key is the session's; seq is the store's). */
const PER_MESSAGE_FIELDS = Object.keys(MessageModel.fields).filter((field) => field !== 'userId' && field !== 'sessionId' && field !== 'seq');

/**
 * A batch of messages as parallel array parameters, one per column, expanded by `unnest`
 * into rows. The statement text is the same whatever the batch size, so it is prepared once.
 */
export function unnestMessages(codec: ModelCodec, p: Placeholders, options: { withSeq: boolean }): { from: string; fields: readonly string[] } {
  const fields = options.withSeq ? ['seq', ...PER_MESSAGE_FIELDS] : PER_MESSAGE_FIELDS;
  const arrays = fields.map((field) => p.at(`m_${field}`, `${codec.byField.get(field)!.sqlType}[]`));
  const aliases = fields.map((field) => quoteIdent(field));
  const ordinality = options.withSeq ? '' : ' WITH ORDINALITY';
  return { from: `unnest(${arrays.join(', ')})${ordinality} AS m(${aliases.join(', ')}${options.withSeq ? '' : ', "ord"'})`, fields };
}

/** The array parameters `unnestMessages` expects, encoded column by column. */
export function messageArrays(codec: ModelCodec, messages: readonly (NewMessage | Message)[], options: { withSeq: boolean }): Record<string, unknown[]> {
  const fields = options.withSeq ? ['seq', ...PER_MESSAGE_FIELDS] : PER_MESSAGE_FIELDS;
  const values: Record<string, unknown[]> = {};
  for (const field of fields) {
    const column = codec.byField.get(field)!;
    values[`m_${field}`] = messages.map((message) => column.encode((message as unknown as Record<string, unknown>)[field]));
  }
  return values;
}
