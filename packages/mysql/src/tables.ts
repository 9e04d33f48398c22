import { LeaseModel, MessageModel, SessionModel, type ModelDefinition } from '@sessions/core/engine';

/** The engine's tables, as backtick-quoted identifiers ready for SQL text. */
export interface Tables {
  readonly sessions: string;
  readonly messages: string;
  readonly leases: string;
  readonly schemaVersion: string;
  /** The stored procedure that appends in one round trip (see append-routine.ts). */
  readonly appendRoutine: string;
  /** Unquoted names, for information_schema lookups and constraint names. */
  readonly names: {
    readonly sessions: string;
    readonly messages: string;
    readonly leases: string;
    readonly schemaVersion: string;
    readonly appendRoutine: string;
  };
}

/** Bump when the append routine's body or parameters change: the name carries it, so old and new can coexist. */
const APPEND_ROUTINE_VERSION = 2;

export const TABLE_PREFIX_PATTERN = /^[A-Za-z0-9_]{0,32}$/;

/** Table names are the prefix followed by the model's name (`sessions`, `messages`, `leases`). */
export function tableNames(prefix: string): Tables {
  const names = {
    sessions: `${prefix}${SessionModel.name}`,
    messages: `${prefix}${MessageModel.name}`,
    leases: `${prefix}${LeaseModel.name}`,
    schemaVersion: `${prefix}schema_version`,
    appendRoutine: `${prefix}append_messages_v${APPEND_ROUTINE_VERSION}`,
  };
  return Object.freeze({
    sessions: quoteIdentifier(names.sessions),
    messages: quoteIdentifier(names.messages),
    leases: quoteIdentifier(names.leases),
    schemaVersion: quoteIdentifier(names.schemaVersion),
    appendRoutine: quoteIdentifier(names.appendRoutine),
    names: Object.freeze(names),
  });
}

/** The table holding a model's rows. */
export function tableOf(tables: Tables, model: ModelDefinition): string {
  switch (model.name) {
    case SessionModel.name:
      return tables.sessions;
    case MessageModel.name:
      return tables.messages;
    case LeaseModel.name:
      return tables.leases;
    default:
      throw new TypeError(`no table for model ${JSON.stringify(model.name)}`);
  }
}

/**
 * Quotes an identifier that comes from the models or the validated prefix. Anything else is a
 * programming error, so it throws rather than escaping: no user text ever becomes an identifier.
 */
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new TypeError(`refusing to use ${JSON.stringify(name)} as an SQL identifier`);
  return `\`${name}\``;
}
