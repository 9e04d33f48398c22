import type { FieldDefinition, ModelDefinition } from '@sessions/core/engine';
import type { SqliteRow } from './database.js';
import { quoteIdentifier } from './sql/identifier.js';

interface Column {
  readonly field: string;
  readonly column: string;
  readonly type: FieldDefinition['type'];
}

/**
 * Maps records of one model to rows and back, using only the model definition: JSON as
 * TEXT, timestamps as INTEGER epoch milliseconds, strings and integers as themselves.
 */
export class RecordCodec<T> {
  readonly model: ModelDefinition;
  /** The quoted table name. */
  readonly table: string;
  /** Every column, quoted, in model order: for SELECT and INSERT lists. */
  readonly columnList: string;
  /** `?, ?, ...`, one per column. */
  readonly placeholders: string;
  readonly #columns: readonly Column[];

  constructor(model: ModelDefinition, table: string) {
    this.model = model;
    this.table = quoteIdentifier(table);
    this.#columns = Object.entries(model.fields).map(([field, definition]) => ({ field, column: definition.column, type: definition.type }));
    this.columnList = this.#columns.map((column) => quoteIdentifier(column.column)).join(', ');
    this.placeholders = this.#columns.map(() => '?').join(', ');
  }

  /** The quoted column of a model field. */
  column(field: string): string {
    const definition = this.model.fields[field];
    if (!definition) throw new TypeError(`${this.model.name} has no field ${field}`);
    return quoteIdentifier(definition.column);
  }

  /** The position of a field's value in `encode`'s output. */
  indexOf(field: string): number {
    const index = this.#columns.findIndex((column) => column.field === field);
    if (index < 0) throw new TypeError(`${this.model.name} has no field ${field}`);
    return index;
  }

  decode(row: SqliteRow): T {
    const record: Record<string, unknown> = {};
    for (const { field, column, type } of this.#columns) record[field] = decodeValue(type, row[column]);
    return record as T;
  }

  /** Parameters for `INSERT ... (columnList) VALUES (placeholders)`. */
  encode(record: T): unknown[] {
    const source = record as Record<string, unknown>;
    return this.#columns.map(({ field, type }) => encodeValue(type, source[field]));
  }

  /** The stored form of one field's value. */
  encodeField(field: string, value: unknown): unknown {
    const definition = this.model.fields[field];
    if (!definition) throw new TypeError(`${this.model.name} has no field ${field}`);
    return encodeValue(definition.type, value);
  }
}

export function encodeValue(type: FieldDefinition['type'], value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'json':
      return JSON.stringify(value);
    case 'timestamp':
      return (value as Date).getTime();
    default:
      return value;
  }
}

function decodeValue(type: FieldDefinition['type'], value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'json':
      return JSON.parse(value as string);
    case 'timestamp':
      return new Date(value as number);
    default:
      return value;
  }
}
