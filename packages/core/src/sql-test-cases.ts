import { and, asc, desc, eq, gt, gte, ilike, inArray, isNotNull, isNull, like, lt, lte, ne, not, notInArray, or } from './filter/builders.js';
import { resolveFilter, resolveOrderBy } from './filter/resolve.js';
import type { ResolvedFilter, ResolvedOrderTerm } from './filter/resolved.js';
import type { Filter } from './filter/types.js';
import { MessageModel } from './models/message-model.js';
import type { ModelDefinition } from './models/model.js';
import { SessionModel } from './models/session-model.js';
import { compileFilter } from './sql/compile-filter.js';
import { compileOrderBy } from './sql/compile-order.js';
import type { SqlDialect } from './sql/dialect.js';

const AT = new Date('2024-05-06T07:08:09.010Z');

const FILTERS: Readonly<Record<string, Filter>> = {
  'empty and': and(),
  'empty or': or(),
  'empty inArray': inArray('title', []),
  'eq non-null string column': eq('userId', 'u'),
  'eq nullable string column': eq('title', 'a'),
  'ne nullable string column': ne('title', 'a'),
  'gt integer column': gt('messageCount', 3),
  'gte integer column, fraction': gte('messageCount', 1.5),
  'lt timestamp column': lt('updatedAt', AT),
  'lte nullable timestamp column': lte('expiresAt', AT),
  'isNull column': isNull('title'),
  'isNotNull column': isNotNull('title'),
  'isNull path': isNull('metadata.plan.tier'),
  'isNotNull path': isNotNull('metadata.plan'),
  'eq path string': eq('metadata.plan.tier', 'pro'),
  'ne path string': ne('metadata.plan', 'pro'),
  'gt path string': gt('metadata.name', 'm'),
  'eq path number': eq('metadata.n', 2.5),
  'lte path number': lte('metadata.n', 7),
  'eq path true': eq('metadata.flag', true),
  'ne path true': ne('metadata.flag', true),
  'eq path false': eq('metadata.flag', false),
  'like column': like('title', 'a%b_c\\%!*?['),
  'ilike column': ilike('title', 'Ab%É'),
  'like path': like('metadata.note', '%x_'),
  'ilike path': ilike('metadata.note', 'X%'),
  'in non-null column': inArray('sessionId', ['a', 'b']),
  'not in nullable column': notInArray('title', ['a']),
  'in integer column': inArray('messageCount', [1, 2]),
  'in integer column, fraction': inArray('messageCount', [1, 2.5]),
  'in timestamp column': inArray('updatedAt', [AT]),
  'in column, long list': inArray(
    'sessionId',
    Array.from({ length: 65 }, (_, i) => `s${i}`),
  ),
  'in path strings': inArray('metadata.tag', ['a', 'b']),
  'not in path numbers': notInArray('metadata.n', [1, 2]),
  'in path booleans': inArray('metadata.flag', [true]),
  'not in path booleans': notInArray('metadata.flag', [true]),
  'not in both booleans': notInArray('metadata.flag', [true, false]),
  nested: or(and(eq('userId', 'u'), not(like('title', 'x%'))), not(or(isNull('metadata.a'), gt('messageCount', 0)))),
};

/**
 * Session filters, resolved, for the SQL adapters' compiler tests: every operator of
 * `@sessions/core/sql` on non-null and nullable columns and on metadata paths, and nesting.
 */
export const SQL_FILTER_CASES: Readonly<Record<string, ResolvedFilter>> = Object.fromEntries(
  Object.entries(FILTERS).map(([name, filter]) => [name, resolveFilter(filter, SessionModel)]),
);

/** Resolved orders (core has appended the primary key) with the model they sort, for the same tests. */
export const SQL_ORDER_CASES: Readonly<Record<string, { readonly model: ModelDefinition; readonly terms: readonly ResolvedOrderTerm[] }>> = {
  'sessions, default': { model: SessionModel, terms: resolveOrderBy([], SessionModel) },
  'nullable ascending': { model: SessionModel, terms: resolveOrderBy([asc('title')], SessionModel) },
  'nullable descending': { model: SessionModel, terms: resolveOrderBy([desc('expiresAt'), asc('createdAt')], SessionModel) },
  messages: { model: MessageModel, terms: resolveOrderBy([desc('createdAt')], MessageModel) },
};

/**
 * `name: sql [params]` for each of {@link SQL_FILTER_CASES} compiled with `dialect`: one line per
 * case, for an inline snapshot of the exact SQL an adapter sends (text a planner sees).
 */
export function compiledFilterLines<P>(dialect: SqlDialect<P>): string[] {
  return Object.entries(SQL_FILTER_CASES).map(([name, filter]) => {
    const { sql, params } = compileFilter(filter, SessionModel, dialect);
    return `${name}: ${sql} [${params.map((value) => (typeof value === 'bigint' ? `${value}n` : JSON.stringify(value))).join(', ')}]`;
  });
}

/** `name: ORDER BY ...` for each of {@link SQL_ORDER_CASES} compiled with `dialect`, one line per case. */
export function compiledOrderLines(dialect: Pick<SqlDialect, 'quoteIdentifier' | 'orderNullable'>): string[] {
  return Object.entries(SQL_ORDER_CASES).map(([name, { model, terms }]) => `${name}:${compileOrderBy(terms, model, dialect)}`);
}
