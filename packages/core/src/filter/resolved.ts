import type { ComparisonOperator } from './types.js';
import type { LikeToken } from './like.js';

/** The type of a filter operand once checked against the model. */
export type OperandType = 'string' | 'number' | 'boolean' | 'timestamp';

export type Operand =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'timestamp'; readonly value: Date };

/** A model column (never a JSON column: those are only reachable through paths). */
export interface ColumnTarget {
  readonly kind: 'column';
  readonly field: string;
  readonly column: string;
  readonly type: 'string' | 'integer' | 'timestamp';
}

/** A path into the model's filterable JSON field, e.g. `metadata.plan.tier`. */
export interface JsonPathTarget {
  readonly kind: 'jsonPath';
  readonly field: string;
  readonly column: string;
  /** Segments, each matching `[A-Za-z0-9_-]+`, so they are safe to render in any dialect. */
  readonly path: readonly string[];
}

export type FilterTarget = ColumnTarget | JsonPathTarget;

/**
 * A filter checked against a model, in the shape adapters compile. Its semantics, which
 * every engine must reproduce exactly:
 * - `compare`, `like` and `in` are true only when the target holds a value of the operand's
 *   type (for JSON paths: a JSON string, number or boolean of that type); null, missing or
 *   another type makes them false, including for `ne` and negated `in`.
 * - `null` (isNull) is true for SQL NULL, a missing path and JSON null; negated is its opposite.
 * - `not` negates that two-valued result. `constant` stands for `and()` / `or()` / `inArray(f, [])`.
 * - Strings compare by code point; `like` is case-sensitive, `ilike` folds ASCII letters only.
 */
export type ResolvedFilter =
  | { readonly kind: 'compare'; readonly op: ComparisonOperator; readonly target: FilterTarget; readonly operand: Operand }
  | {
      readonly kind: 'like';
      readonly caseInsensitive: boolean;
      readonly target: FilterTarget;
      readonly pattern: string;
      readonly tokens: readonly LikeToken[];
    }
  | { readonly kind: 'in'; readonly negated: boolean; readonly target: FilterTarget; readonly operands: readonly Operand[] }
  | { readonly kind: 'null'; readonly negated: boolean; readonly target: FilterTarget }
  | { readonly kind: 'and' | 'or'; readonly filters: readonly ResolvedFilter[] }
  | { readonly kind: 'not'; readonly filter: ResolvedFilter }
  | { readonly kind: 'constant'; readonly value: boolean };

/** An order term checked against the model; `resolveOrderBy` appends the primary key as tie-breaker. */
export interface ResolvedOrderTerm {
  readonly field: string;
  readonly column: string;
  readonly type: 'string' | 'integer' | 'timestamp';
  readonly direction: 'asc' | 'desc';
}
