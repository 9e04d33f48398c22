/** A value a filter compares with. Dates compare as instants; in JSON they are ISO strings. */
export type FilterValue = string | number | boolean | Date;

/** The operators comparing a field with one value. */
export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';
/** The operators matching a field with a `like` pattern. */
export type PatternOperator = 'like' | 'ilike';

/**
 * A filter: a JSON-serialisable tree, built with `eq`, `and`, ... or parsed from
 * untrusted JSON with `parseFilter`. Fields are model fields or `metadata.<path>`.
 */
export type Filter =
  | { readonly op: ComparisonOperator; readonly field: string; readonly value: FilterValue }
  | { readonly op: PatternOperator; readonly field: string; readonly value: string }
  | { readonly op: 'inArray' | 'notInArray'; readonly field: string; readonly values: readonly FilterValue[] }
  | { readonly op: 'isNull' | 'isNotNull'; readonly field: string }
  | { readonly op: 'and' | 'or'; readonly filters: readonly Filter[] }
  | { readonly op: 'not'; readonly filter: Filter };

/** Ascending or descending. */
export type SortDirection = 'asc' | 'desc';
/** One sort key: a field and its direction (built with `asc` and `desc`). */
export interface OrderTerm {
  readonly field: string;
  readonly direction: SortDirection;
}
/** Sort order; ties are always broken by the model's primary key, ascending. */
export type OrderBy = readonly OrderTerm[];
