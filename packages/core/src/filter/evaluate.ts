import { isPlainObject } from '../json.js';
import { compareCodePoints, compareScalars } from './compare.js';
import { likeMatches, likeToRegExp } from './like.js';
import type { FilterTarget, Operand, ResolvedFilter, ResolvedOrderTerm } from './resolved.js';

/**
 * A record the in-memory helpers read fields from: a `Session`, a `Message`, or any object with
 * the fields a filter or ordering names. Typed as an object, not a string-keyed record, so the
 * model interfaces fit without a cast.
 */
export type FilterableRow = object;

type Row = Readonly<Record<string, unknown>>;

/**
 * Evaluates a resolved filter on a record in memory: the reference semantics (null or missing
 * values compare false, `not` negates that, strings compare by code point). For adapters that
 * filter in process (files, maps); `MemoryEngine` uses it.
 *
 * @example
 * const rows: Session[] = [...sessions.values()].filter((session) => matchesFilter(query.where, session));
 */
export function matchesFilter<T extends FilterableRow>(filter: ResolvedFilter, row: T): boolean {
  return matches(filter, row as Row);
}

function matches(filter: ResolvedFilter, row: Row): boolean {
  switch (filter.kind) {
    case 'constant':
      return filter.value;
    case 'and':
      return filter.filters.every((child) => matches(child, row));
    case 'or':
      return filter.filters.some((child) => matches(child, row));
    case 'not':
      return !matches(filter.filter, row);
    case 'null': {
      const value = readTarget(filter.target, row);
      return (value === null || value === undefined) !== filter.negated;
    }
    case 'compare': {
      const value = readTarget(filter.target, row);
      if (!hasOperandType(value, filter.operand)) return false;
      const order = compareOperand(value, filter.operand);
      switch (filter.op) {
        case 'eq':
          return order === 0;
        case 'ne':
          return order !== 0;
        case 'gt':
          return order > 0;
        case 'gte':
          return order >= 0;
        case 'lt':
          return order < 0;
        case 'lte':
          return order <= 0;
      }
    }
    // falls through: every comparison operator returns above
    case 'like': {
      const value = readTarget(filter.target, row);
      if (typeof value !== 'string') return false;
      return likeMatches(value, cachedLikeRegExp(filter.pattern, filter.caseInsensitive), filter.caseInsensitive);
    }
    case 'in': {
      const value = readTarget(filter.target, row);
      const first = filter.operands[0]!;
      if (!hasOperandType(value, first)) return false;
      const found = filter.operands.some((operand) => compareOperand(value, operand) === 0);
      return found !== filter.negated;
    }
  }
}

function readTarget(target: FilterTarget, row: Row): unknown {
  if (target.kind === 'column') return row[target.field];
  let value: unknown = row[target.field];
  for (const segment of target.path) {
    if (!isPlainObject(value) || !Object.hasOwn(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}

function hasOperandType(value: unknown, operand: Operand): boolean {
  switch (operand.type) {
    case 'timestamp':
      return value instanceof Date;
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function compareOperand(value: unknown, operand: Operand): number {
  if (operand.type === 'string') return compareCodePoints(value as string, operand.value);
  return compareScalars(value, operand.value);
}

const likeCache = new Map<string, RegExp>();
function cachedLikeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let regExp = likeCache.get(key);
  if (!regExp) {
    if (likeCache.size > 500) likeCache.clear();
    regExp = likeToRegExp(pattern, caseInsensitive);
    likeCache.set(key, regExp);
  }
  return regExp;
}

/**
 * A comparator for `Array.prototype.sort` from resolved order terms (which end with the primary
 * key, so the order is total): the reference ordering, nulls first ascending, strings by code point.
 *
 * @example
 * rows.sort(compareByOrder<Session>(query.orderBy));
 */
export function compareByOrder<T extends FilterableRow>(terms: readonly ResolvedOrderTerm[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const term of terms) {
      const order = compareScalars((a as Row)[term.field], (b as Row)[term.field]);
      if (order !== 0) return term.direction === 'asc' ? order : -order;
    }
    return 0;
  };
}
