import { LeaseModel, MessageModel, SessionModel, type FieldDefinition, type ModelDefinition } from '@sessions/core/engine';
import type { Dialect } from './dialect.js';
import { quoteIdentifier, type Tables } from './tables.js';

/** InnoDB's limit on an index key with the DYNAMIC row format (the default on MySQL 8 and MariaDB 10.5+). */
export const MAX_INDEX_KEY_BYTES = 3072;

/**
 * The SQL type of a model field:
 * - strings: VARCHAR(maxLength) in utf8mb4 with a binary NO PAD collation, so they compare and sort
 *   by code point, case-sensitively, with trailing spaces significant;
 * - integers: BIGINT;
 * - timestamps: BIGINT epoch milliseconds, so no session time zone can shift them;
 * - JSON: LONGTEXT holding the exact JSON text the engine wrote, checked with JSON_VALID. Kept as
 *   text (not MySQL's binary JSON) so numbers, key order and escapes read back as they were written.
 */
export function columnType(field: FieldDefinition, dialect: Dialect): string {
  switch (field.type) {
    case 'string':
      if (field.maxLength === undefined) throw new TypeError(`string field ${field.column} has no maxLength`);
      return `VARCHAR(${field.maxLength}) CHARACTER SET utf8mb4 COLLATE ${dialect.collation}`;
    case 'integer':
    case 'timestamp':
      return 'BIGINT';
    case 'json':
      return `LONGTEXT CHARACTER SET utf8mb4 COLLATE ${dialect.collation}`;
  }
}

/** Bytes an index over these fields takes in InnoDB (utf8mb4 is up to 4 bytes a character). */
export function indexKeyBytes(model: ModelDefinition, fields: readonly string[]): number {
  return fields.reduce((total, name) => {
    const field = model.fields[name];
    if (!field) throw new TypeError(`${model.name} has no field ${name}`);
    if (field.type === 'json') throw new TypeError(`cannot index the JSON field ${model.name}.${name}`);
    return total + (field.type === 'string' ? (field.maxLength ?? 0) * 4 : 8);
  }, 0);
}

function columnList(model: ModelDefinition, fields: readonly string[]): string {
  return fields.map((name) => quoteIdentifier(model.fields[name]!.column)).join(', ');
}

/** CREATE TABLE for a model: its fields, primary key, indexes and JSON checks, all from the model. */
export function createTableSql(model: ModelDefinition, table: string, tableName: string, dialect: Dialect, extra: readonly string[] = []): string {
  const lines: string[] = [];
  for (const field of Object.values(model.fields)) {
    lines.push(`${quoteIdentifier(field.column)} ${columnType(field, dialect)} ${field.nullable ? 'NULL' : 'NOT NULL'}`);
  }
  for (const index of [{ name: 'PRIMARY', fields: model.primaryKey, unique: true }, ...model.indexes]) {
    const bytes = indexKeyBytes(model, index.fields);
    if (bytes > MAX_INDEX_KEY_BYTES) throw new TypeError(`index ${index.name} on ${model.name} is ${bytes} bytes, over InnoDB's ${MAX_INDEX_KEY_BYTES}`);
  }
  lines.push(`PRIMARY KEY (${columnList(model, model.primaryKey)})`);
  for (const index of model.indexes) {
    lines.push(`${index.unique ? 'UNIQUE KEY' : 'KEY'} ${quoteIdentifier(index.name)} (${columnList(model, index.fields)})`);
  }
  for (const field of Object.values(model.fields)) {
    // A named table constraint, not a column one: MariaDB reports a column with its own
    // JSON_VALID check as type JSON, and mysql2 would then parse it instead of handing back the text.
    if (field.type === 'json')
      lines.push(`CONSTRAINT ${quoteIdentifier(`${tableName}_${field.column}_json`)} CHECK (JSON_VALID(${quoteIdentifier(field.column)}))`);
  }
  lines.push(...extra);
  return `CREATE TABLE IF NOT EXISTS ${table} (\n  ${lines.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${dialect.collation} ROW_FORMAT=DYNAMIC`;
}

/** The statements that create the whole schema (version 1). */
export function createSchemaSql(tables: Tables, dialect: Dialect): string[] {
  const sessionKey = columnList(SessionModel, SessionModel.primaryKey);
  const messageSessionKey = columnList(MessageModel, ['userId', 'sessionId']);
  return [
    createTableSql(SessionModel, tables.sessions, tables.names.sessions, dialect),
    // Deleting a session deletes its messages in the same statement.
    createTableSql(MessageModel, tables.messages, tables.names.messages, dialect, [
      `CONSTRAINT ${quoteIdentifier(`${tables.names.messages}_session_fk`)} FOREIGN KEY (${messageSessionKey}) REFERENCES ${tables.sessions} (${sessionKey}) ON DELETE CASCADE`,
    ]),
    // No foreign key: a lease row outlives its session so tokens never go down, even for a session
    // that is deleted and created again.
    createTableSql(LeaseModel, tables.leases, tables.names.leases, dialect),
  ];
}
