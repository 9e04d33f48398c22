import type { ModelDefinition, ResolvedOrderTerm } from '@sessions/core/engine';
import { quoteIdentifier } from '../tables.js';

/**
 * ORDER BY for resolved terms (the primary key is already appended as tie-breaker). Nulls sort
 * first ascending and last descending, spelled out rather than left to the server's default;
 * non-nullable columns get a plain term so an index can deliver the order. Columns the filter
 * pins to one value (see `pinnedColumns`) are left out: they cannot change the order.
 */
export function compileOrderBy(terms: readonly ResolvedOrderTerm[], model: ModelDefinition, pinned: ReadonlySet<string> = new Set()): string {
  const parts = terms.flatMap((term) => {
    if (pinned.has(term.column)) return [];
    const column = quoteIdentifier(term.column);
    const direction = term.direction === 'asc' ? 'ASC' : 'DESC';
    if (model.fields[term.field]?.nullable === false) return [`${column} ${direction}`];
    return [`(${column} IS NULL) ${term.direction === 'asc' ? 'DESC' : 'ASC'}`, `${column} ${direction}`];
  });
  return parts.length === 0 ? '' : ` ORDER BY ${parts.join(', ')}`;
}
