import type { ResolvedQuery } from '../engine/base-engine.js';
import { compareByOrder, matchesFilter } from './evaluate.js';
import type { ResolvedFilter } from './resolved.js';

type Row = Readonly<Record<string, unknown>>;

/**
 * The page a resolved query selects from records held in memory, with core's reference
 * semantics: filtered, ordered, then sliced by `offset` and `limit`. For engines that evaluate
 * queries in process (memory, jsonl) rather than compiling them. The records returned are the
 * ones given, not copies: an engine that must not hand out its own objects copies them.
 *
 * @example
 * protected async doFindMany(model: ModelDefinition, query: ResolvedQuery) {
 *   return queryRows(await this.readAll(model), query)
 * }
 */
export function queryRows<T extends object>(rows: Iterable<T>, query: ResolvedQuery): T[] {
  const selected = selectRows(rows, query.where);
  selected.sort(compareByOrder<T>(query.orderBy));
  const start = query.offset ?? 0;
  return selected.slice(start, query.limit === undefined ? undefined : start + query.limit);
}

/** How many of the records the filter matches. */
export function countRows(rows: Iterable<object>, where: ResolvedFilter): number {
  let count = 0;
  for (const row of rows) if (matchesFilter(where, row as Row)) count++;
  return count;
}

function selectRows<T extends object>(rows: Iterable<T>, where: ResolvedFilter): T[] {
  const selected: T[] = [];
  for (const row of rows) if (matchesFilter(where, row as Row)) selected.push(row);
  return selected;
}
