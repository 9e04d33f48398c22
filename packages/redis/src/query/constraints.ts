import { compareCodePoints, type Operand, type ResolvedFilter } from '@sessions/core/engine';
import { EMPTY, hull, intersect, point, type Compare, type Interval } from './interval.js';

/**
 * What a resolved filter says about one column, read conservatively: every record the
 * filter matches satisfies what is returned here (it may let through records the filter
 * rejects, never the reverse). `undefined` means "no constraint". The planner uses these
 * to pick index ranges; the filter itself is always evaluated on the fetched records.
 */

export type ColumnKind = 'number' | 'string';

const compareNumbers: Compare<number> = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const COMPARE: { number: Compare<number>; string: Compare<string> } = { number: compareNumbers, string: compareCodePoints };

function operandValue(operand: Operand, kind: ColumnKind): number | string | undefined {
  if (kind === 'string') return operand.type === 'string' ? operand.value : undefined;
  if (operand.type === 'timestamp') return operand.value.getTime();
  return operand.type === 'number' ? operand.value : undefined;
}

/** The range `field` (a column, not a JSON path) must be in for the filter to hold. */
export function columnInterval(filter: ResolvedFilter, field: string, kind: 'number'): Interval<number> | undefined;
export function columnInterval(filter: ResolvedFilter, field: string, kind: 'string'): Interval<string> | undefined;
export function columnInterval(filter: ResolvedFilter, field: string, kind: ColumnKind): Interval<number | string> | undefined {
  const cmp = COMPARE[kind] as Compare<number | string>;
  const walk = (node: ResolvedFilter): Interval<number | string> | undefined => {
    switch (node.kind) {
      case 'constant':
        return node.value ? undefined : EMPTY;
      case 'compare': {
        if (node.target.kind !== 'column' || node.target.field !== field) return undefined;
        const value = operandValue(node.operand, kind);
        if (value === undefined) return EMPTY;
        switch (node.op) {
          case 'eq':
            return point(value);
          case 'gt':
          case 'gte':
            return { low: { value, open: node.op === 'gt' } };
          case 'lt':
          case 'lte':
            return { high: { value, open: node.op === 'lt' } };
          case 'ne':
            return undefined;
        }
      }
      // falls through: every comparison returns above
      case 'in': {
        if (node.negated || node.target.kind !== 'column' || node.target.field !== field) return undefined;
        let result: Interval<number | string> = EMPTY;
        for (const operand of node.operands) {
          const value = operandValue(operand, kind);
          if (value !== undefined) result = hull(result, point(value), cmp);
        }
        return result;
      }
      case 'and': {
        let result: Interval<number | string> | undefined;
        for (const child of node.filters) {
          const constraint = walk(child);
          if (constraint) result = result ? intersect(result, constraint, cmp) : constraint;
        }
        return result;
      }
      case 'or': {
        let result: Interval<number | string> = EMPTY;
        for (const child of node.filters) {
          const constraint = walk(child);
          if (!constraint) return undefined;
          result = hull(result, constraint, cmp);
        }
        return result;
      }
      case 'like':
      case 'null':
      case 'not':
        return undefined;
    }
  };
  return walk(filter);
}

/** The only values a string column can take for the filter to hold, or undefined when any can. */
export function columnValues(filter: ResolvedFilter, field: string): ReadonlySet<string> | undefined {
  const walk = (node: ResolvedFilter): Set<string> | undefined => {
    switch (node.kind) {
      case 'constant':
        return node.value ? undefined : new Set();
      case 'compare':
        if (node.target.kind !== 'column' || node.target.field !== field || node.op !== 'eq') return undefined;
        return new Set(node.operand.type === 'string' ? [node.operand.value] : []);
      case 'in':
        if (node.negated || node.target.kind !== 'column' || node.target.field !== field) return undefined;
        return new Set(node.operands.flatMap((operand) => (operand.type === 'string' ? [operand.value] : [])));
      case 'and': {
        let result: Set<string> | undefined;
        for (const child of node.filters) {
          const values = walk(child);
          if (values) result = result ? new Set([...result].filter((value) => values.has(value))) : values;
        }
        return result;
      }
      case 'or': {
        const result = new Set<string>();
        for (const child of node.filters) {
          const values = walk(child);
          if (!values) return undefined;
          for (const value of values) result.add(value);
        }
        return result;
      }
      case 'like':
      case 'null':
      case 'not':
        return undefined;
    }
  };
  return walk(filter);
}
