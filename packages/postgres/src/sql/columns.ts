import type { FieldDefinition, ModelDefinition } from '@sessions/core/engine';
import { quoteIdent } from './identifiers.js';
import { epochMsOfColumn, toPgTimestampOrNull } from './timestamps.js';

type Row = Record<string, unknown>;

/** How a field of a core model is written to and read from PostgreSQL. */
export interface ColumnCodec {
  readonly field: string;
  readonly column: string;
  readonly definition: FieldDefinition;
  /** The select-list item, aliased to the field name. */
  readonly select: string;
  /** The SQL type a bound value is cast to. */
  readonly sqlType: string;
  encode(value: unknown): unknown;
  decode(value: unknown): unknown;
}

const SQL_TYPES = { string: 'text', integer: 'bigint', timestamp: 'timestamptz', json: 'jsonb' } as const;

function codecFor(field: string, definition: FieldDefinition): ColumnCodec {
  const column = definition.column;
  const alias = quoteIdent(field);
  const sqlType = SQL_TYPES[definition.type];
  switch (definition.type) {
    case 'json':
      return {
        field,
        column,
        definition,
        sqlType,
        select: `${quoteIdent(column)}::text AS ${alias}`,
        encode: (value) => (value === null || value === undefined ? null : JSON.stringify(value)),
        decode: (value) => (value === null ? null : JSON.parse(value as string)),
      };
    case 'timestamp':
      return {
        field,
        column,
        definition,
        sqlType,
        select: `${epochMsOfColumn(column)} AS ${alias}`,
        encode: (value) => toPgTimestampOrNull(value as Date | null),
        decode: (value) => (value === null ? null : new Date(value as number)),
      };
    case 'integer':
      return {
        field,
        column,
        definition,
        sqlType,
        select: `${quoteIdent(column)} AS ${alias}`,
        encode: (value) => value,
        decode: (value) => (value === null ? null : Number(value)),
      };
    case 'string':
      return {
        field,
        column,
        definition,
        sqlType,
        select: `${quoteIdent(column)} AS ${alias}`,
        encode: (value) => value,
        decode: (value) => value,
      };
  }
}

/** The codecs of a model, its select list, and a decoder from rows to records. */
export interface ModelCodec {
  readonly model: ModelDefinition;
  readonly columns: readonly ColumnCodec[];
  readonly byField: ReadonlyMap<string, ColumnCodec>;
  /** `"col" AS "field", ...` for every field, in model order. */
  readonly selectList: string;
  decode<T>(row: Row): T;
}

export function modelCodec(model: ModelDefinition): ModelCodec {
  const columns = Object.entries(model.fields).map(([field, definition]) => codecFor(field, definition));
  const byField = new Map(columns.map((codec) => [codec.field, codec]));
  return Object.freeze({
    model,
    columns,
    byField,
    selectList: columns.map((codec) => codec.select).join(', '),
    decode<T>(row: Row): T {
      const record: Row = {};
      for (const codec of columns) record[codec.field] = codec.decode(row[codec.field]);
      return record as T;
    },
  });
}
