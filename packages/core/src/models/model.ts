/** The type of a model field, as every backend must store and return it. */
export type FieldType = 'string' | 'integer' | 'timestamp' | 'json';

export interface FieldDefinition {
  readonly type: FieldType;
  readonly nullable: boolean;
  /** Column name for SQL backends (snake_case). */
  readonly column: string;
  /** Longest accepted string, in Unicode code points. */
  readonly maxLength?: number;
  /** The only accepted values, for enumerations. */
  readonly values?: readonly string[];
}

export interface IndexDefinition {
  readonly name: string;
  readonly fields: readonly string[];
  readonly unique: boolean;
}

/**
 * A model: the fields, keys and indexes of one kind of record, defined once in core.
 * Adapters build their schema from it; the filter DSL validates field names against it.
 */
export interface ModelDefinition<Name extends string = string> {
  readonly name: Name;
  readonly fields: Readonly<Record<string, FieldDefinition>>;
  readonly primaryKey: readonly string[];
  readonly indexes: readonly IndexDefinition[];
  /** The JSON field whose paths filters may address (`metadata.plan.tier`), if any. */
  readonly filterableJsonField: string | null;
}

export function defineModel<const Name extends string>(model: ModelDefinition<Name>): ModelDefinition<Name> {
  return Object.freeze(model);
}
