import type { ResolvedFilter } from '@sessions/core/engine';

/**
 * Columns the filter fixes to a single value: those an `eq` (or a one-value `inArray`) pins in
 * the top-level conjunction. Every matching row has the same value there, so ordering by such a
 * column changes nothing, and leaving it out lets the server read an index in order instead of
 * sorting: `WHERE user_id = ? ORDER BY updated_at DESC, session_id DESC, user_id` cannot use the
 * index (user_id, updated_at, session_id) on MariaDB, the same ORDER BY without user_id can.
 */
export function pinnedColumns(filter: ResolvedFilter): Set<string> {
  const pinned = new Set<string>();
  const visit = (node: ResolvedFilter): void => {
    if (node.kind === 'and') node.filters.forEach(visit);
    else if (node.kind === 'compare' && node.op === 'eq' && node.target.kind === 'column') pinned.add(node.target.column);
    else if (node.kind === 'in' && !node.negated && node.operands.length === 1 && node.target.kind === 'column') pinned.add(node.target.column);
  };
  visit(filter);
  return pinned;
}
