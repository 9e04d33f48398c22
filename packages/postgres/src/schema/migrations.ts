import { LeaseModel, MessageModel, SessionModel } from '@sessions/core';
import { column, quoteIdent } from '../sql/identifiers.js';
import type { TableNames } from '../sql/tables.js';
import { columnList, createIndexesSql, createTableSql } from './ddl.js';

/** One step of the schema's history. Applied in order, each inside the migration transaction. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  statements(names: TableNames): readonly string[];
}

const sessionKey = columnList(MessageModel, ['userId', 'sessionId']);

/**
 * The schema's history. Never edit a released migration: append a new one, and the next
 * `setup()` on each database applies it in place.
 */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    description: 'sessions, messages and leases with their indexes',
    statements: (names: TableNames) => [
      createTableSql(SessionModel, names.sessions),
      ...createIndexesSql(SessionModel, names.sessions, names),
      // jsonb_path_ops serves `metadata @> {...}`, which is how equality on metadata paths compiles.
      `CREATE INDEX ${quoteIdent(names.local('sessions_metadata'))} ON ${names.sessions} USING gin (${column(SessionModel, 'metadata')} jsonb_path_ops)`,
      // Messages go with their session, also those a concurrent append committed a moment before the delete.
      createTableSql(MessageModel, names.messages, [
        `FOREIGN KEY (${sessionKey}) REFERENCES ${names.sessions} (${columnList(SessionModel, ['userId', 'sessionId'])}) ON DELETE CASCADE`,
      ]),
      ...createIndexesSql(MessageModel, names.messages, names),
      // Lease rows outlive their session so a token never goes down, even across delete and re-create.
      createTableSql(LeaseModel, names.leases),
    ],
  },
]);

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;
