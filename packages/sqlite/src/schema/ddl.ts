import type { FieldDefinition, ModelDefinition } from '@sessions/core/engine';
import { quoteIdentifier } from '../sql/identifier.js';

const COLUMN_TYPES: Readonly<Record<FieldDefinition['type'], string>> = {
  string: 'TEXT',
  integer: 'INTEGER',
  timestamp: 'INTEGER',
  json: 'TEXT',
};

/**
 * `CREATE TABLE` and `CREATE INDEX` statements for a model, derived from its definition.
 * STRICT tables make SQLite enforce the column types; TEXT columns use the default BINARY
 * collation, i.e. code-point order.
 */
export function createModelSql(model: ModelDefinition, table: string, indexPrefix: string): { table: string; indexes: string[] } {
  const columns = Object.values(model.fields).map(
    (field) => `  ${quoteIdentifier(field.column)} ${COLUMN_TYPES[field.type]}${field.nullable ? '' : ' NOT NULL'}`,
  );
  const primaryKey = `  PRIMARY KEY (${columnsOf(model, model.primaryKey)})`;
  return {
    table: `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(table)} (\n${[...columns, primaryKey].join(',\n')}\n) STRICT`,
    indexes: model.indexes.map(
      (index) =>
        `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdentifier(indexPrefix + index.name)} ON ${quoteIdentifier(table)} (${columnsOf(model, index.fields)})`,
    ),
  };
}

function columnsOf(model: ModelDefinition, fields: readonly string[]): string {
  return fields
    .map((field) => {
      const definition = model.fields[field];
      if (!definition) throw new TypeError(`${model.name} has no field ${field}`);
      return quoteIdentifier(definition.column);
    })
    .join(', ');
}

/** The column type SQLite reports for a field, to check a live table against the model. */
export function columnType(field: FieldDefinition): string {
  return COLUMN_TYPES[field.type];
}
