import type { JsonValue } from '@sessions/core';
import type { FieldDefinition, ModelDefinition } from '@sessions/core/engine';
import type { SqlParam } from './driver.js';
import { quoteIdentifier } from './tables.js';

/** How one model maps to SQL: its fields in select-list order, and converters both ways. */
export interface RowCodec<T> {
  readonly fields: readonly string[];
  /** `\`user_id\`, \`session_id\`, ...` in field order. */
  readonly selectList: string;
  decode(row: readonly unknown[]): T;
  encode(record: Readonly<Record<string, unknown>>): SqlParam[];
}

export function rowCodec<T>(model: ModelDefinition): RowCodec<T> {
  const entries = Object.entries(model.fields);
  return Object.freeze({
    fields: Object.freeze(entries.map(([name]) => name)),
    selectList: entries.map(([, field]) => quoteIdentifier(field.column)).join(', '),
    decode(row: readonly unknown[]): T {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < entries.length; i++) record[entries[i]![0]] = decodeValue(entries[i]![1], row[i]);
      return record as T;
    },
    encode(record: Readonly<Record<string, unknown>>): SqlParam[] {
      return entries.map(([name, field]) => encodeValue(field, record[name]));
    },
  });
}

/** A field value as the bound parameter that stores it. */
export function encodeValue(field: FieldDefinition, value: unknown): SqlParam {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'string':
      return value as string;
    case 'integer':
      return BigInt(value as number);
    case 'timestamp':
      return BigInt((value as Date).getTime());
    case 'json':
      return JSON.stringify(value);
  }
}

/**
 * A stored value as the field's JavaScript value. Integers are converted with Number() because
 * a pool may be configured to hand BIGINTs back as strings.
 */
export function decodeValue(field: FieldDefinition, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'string':
      return typeof value === 'string' ? value : String(value);
    case 'integer':
      return Number(value);
    case 'timestamp':
      return new Date(Number(value));
    case 'json':
      return JSON.parse(typeof value === 'string' ? value : String(value)) as JsonValue;
  }
}
