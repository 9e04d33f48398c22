import { quoteIdent } from './identifiers.js';

/** The qualified, quoted names of everything the engine creates in its schema. */
export interface TableNames {
  readonly schema: string;
  readonly prefix: string;
  readonly sessions: string;
  readonly messages: string;
  readonly leases: string;
  readonly schemaVersion: string;
  /** The unqualified, unquoted name of an object in the schema, e.g. an index. */
  local(name: string): string;
  /** The qualified, quoted name of an object in the schema. */
  qualified(name: string): string;
}

export const SCHEMA_VERSION_TABLE = 'sessions_schema_version';

export function tableNames(schema: string, prefix: string): TableNames {
  const local = (name: string) => `${prefix}${name}`;
  const qualified = (name: string) => `${quoteIdent(schema)}.${quoteIdent(local(name))}`;
  return Object.freeze({
    schema,
    prefix,
    sessions: qualified('sessions'),
    messages: qualified('messages'),
    leases: qualified('leases'),
    schemaVersion: qualified(SCHEMA_VERSION_TABLE),
    local,
    qualified,
  });
}
