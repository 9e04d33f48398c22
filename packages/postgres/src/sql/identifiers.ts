import type { ModelDefinition } from '@sessions/core/engine';

/** Quotes an SQL identifier: the only way a name reaches SQL text. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a constant string literal (enum values from the models, never user input). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Unquoted names a schema or table prefix may use: safe, and the same in every client. */
export const NAME_PART = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** PostgreSQL truncates identifiers at 63 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/** The quoted column of a model field: names reach SQL only from the core models. */
export function column(model: ModelDefinition, field: string): string {
  const definition = model.fields[field];
  if (!definition) throw new TypeError(`${model.name} has no field ${field}`);
  return quoteIdent(definition.column);
}
