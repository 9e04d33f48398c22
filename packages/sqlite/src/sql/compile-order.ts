import type { ModelDefinition, ResolvedOrderTerm } from '@sessions/core/engine';
import { quoteIdentifier } from './identifier.js';

/**
 * `ORDER BY` for resolved terms (core has already appended the primary key). Text sorts by
 * BINARY collation, which on UTF-8 is code-point order. Nulls first ascending and last
 * descending is SQLite's own default; it is spelled out on nullable columns only, so the
 * planner still walks indexes on the others.
 */
export function compileOrderBy(terms: readonly ResolvedOrderTerm[], model: ModelDefinition): string {
  if (terms.length === 0) return '';
  const parts = terms.map((term) => {
    const direction = term.direction === 'asc' ? 'ASC' : 'DESC';
    const nulls = model.fields[term.field]?.nullable ? (term.direction === 'asc' ? ' NULLS FIRST' : ' NULLS LAST') : '';
    return `${quoteIdentifier(term.column)} ${direction}${nulls}`;
  });
  return ` ORDER BY ${parts.join(', ')}`;
}
