import type { FieldDefinition, ModelDefinition } from '@sessions/core/engine';
import { quoteIdent, quoteLiteral } from '../sql/identifiers.js';
import type { TableNames } from '../sql/tables.js';

/**
 * Column types. Text columns use the "C" collation so that comparison and sort are by
 * code point (UTF-8 byte order) whatever the database's locale, as every engine promises.
 */
function columnType(definition: FieldDefinition): string {
  switch (definition.type) {
    case 'string':
      return `${definition.maxLength === undefined ? 'text' : `varchar(${definition.maxLength})`} COLLATE "C"`;
    case 'integer':
      return 'bigint';
    case 'timestamp':
      return 'timestamptz';
    case 'json':
      return 'jsonb';
  }
}

function columnSql(definition: FieldDefinition): string {
  const column = quoteIdent(definition.column);
  let sql = `${column} ${columnType(definition)}${definition.nullable ? '' : ' NOT NULL'}`;
  if (definition.values) sql += ` CHECK (${column} IN (${definition.values.map(quoteLiteral).join(', ')}))`;
  return sql;
}

export function columnList(model: ModelDefinition, fields: readonly string[]): string {
  return fields.map((field) => quoteIdent(model.fields[field]!.column)).join(', ');
}

/** `CREATE TABLE` for a core model: its fields, primary key and any extra constraints. */
export function createTableSql(model: ModelDefinition, table: string, constraints: readonly string[] = []): string {
  const items = [...Object.values(model.fields).map(columnSql), `PRIMARY KEY (${columnList(model, model.primaryKey)})`, ...constraints];
  return `CREATE TABLE ${table} (\n  ${items.join(',\n  ')}\n)`;
}

/** `CREATE INDEX` for every index the core model declares, named with the table prefix. */
export function createIndexesSql(model: ModelDefinition, table: string, names: TableNames): string[] {
  return model.indexes.map(
    (index) => `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(names.local(index.name))} ON ${table} (${columnList(model, index.fields)})`,
  );
}
