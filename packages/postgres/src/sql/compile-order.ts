import type { ModelDefinition, ResolvedOrderTerm } from '@sessions/core/engine';
import { quoteIdent } from './identifiers.js';

/**
 * `ORDER BY` terms with nulls first ascending and last descending, the opposite of
 * PostgreSQL's default. Columns that cannot be NULL get no NULLS clause: the order is the
 * same and the planner can then read it straight from an index.
 */
export function compileOrderBy(terms: readonly ResolvedOrderTerm[], model: ModelDefinition): string {
  return terms
    .map((term) => {
      const nullable = model.fields[term.field]?.nullable ?? true;
      const nulls = nullable ? (term.direction === 'asc' ? ' NULLS FIRST' : ' NULLS LAST') : '';
      return `${quoteIdent(term.column)} ${term.direction === 'asc' ? 'ASC' : 'DESC'}${nulls}`;
    })
    .join(', ');
}
