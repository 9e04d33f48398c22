import { LeaseModel, MessageModel, SessionModel } from '@sessions/core/engine';
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
/** The unique index core declares on messages: `(userId, sessionId, id)`. */
const messageIdIndex = MessageModel.indexes.find((index) => index.unique)!;

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
  {
    version: 2,
    description: 'message ids unique per session by their md5, so the longest ids fit a btree entry',
    // A btree entry holds at most 2704 bytes, and three ids of 255 four-byte characters take
    // about 3080: such an append failed on the index. The id's md5 takes 33 bytes; user and
    // session ids (2 x 1024 bytes at most) still fit, as in the sessions, messages and leases
    // primary keys. A collision of two ids of one session could only refuse the second id
    // with MessageExistsError, never admit a duplicate. Same name, so the error mapping holds.
    statements: (names: TableNames) => {
      const [userId, sessionId, id] = messageIdIndex.fields.map((field) => column(MessageModel, field));
      return [
        `DROP INDEX ${names.qualified(messageIdIndex.name)}`,
        `CREATE UNIQUE INDEX ${quoteIdent(names.local(messageIdIndex.name))} ON ${names.messages} (${userId}, ${sessionId}, md5(${id}))`,
      ];
    },
  },
]);

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;
