import type { ResolvedOrderTerm } from '../filter/resolved.js';
import type { ModelDefinition } from '../models/model.js';
import type { SqlDialect } from './dialect.js';

const NO_COLUMNS: ReadonlySet<string> = new Set();

/**
 * ` ORDER BY ...` for resolved terms (core has already appended the primary key), or `''` when
 * nothing is left to order by. Nulls sort first ascending and last descending; the clause that
 * says so is written on nullable columns only, so the planner can read the others' order
 * straight from an index. Columns in `pinned` (ones the filter holds to a single value) are left
 * out: they cannot change the order.
 */
export function compileOrderBy(
  terms: readonly ResolvedOrderTerm[],
  model: ModelDefinition,
  dialect: Pick<SqlDialect, 'quoteIdentifier' | 'orderNullable'>,
  pinned = NO_COLUMNS,
): string {
  const parts: string[] = [];
  for (const term of terms) {
    if (pinned.has(term.column)) continue;
    const column = dialect.quoteIdentifier(term.column);
    if (model.fields[term.field]?.nullable === false) parts.push(`${column} ${term.direction === 'asc' ? 'ASC' : 'DESC'}`);
    else parts.push(dialect.orderNullable ? dialect.orderNullable(column, term.direction) : nullsClause(column, term.direction));
  }
  return parts.length === 0 ? '' : ` ORDER BY ${parts.join(', ')}`;
}

function nullsClause(column: string, direction: 'asc' | 'desc'): string {
  return direction === 'asc' ? `${column} ASC NULLS FIRST` : `${column} DESC NULLS LAST`;
}
