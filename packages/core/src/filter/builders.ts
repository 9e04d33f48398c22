import { ValidationError } from '../errors.js';
import { describeType } from '../json.js';
import type { Filter, FilterValue, OrderTerm } from './types.js';

function comparable(op: string, field: string, value: FilterValue): FilterValue {
  if (value === null || value === undefined) {
    throw new ValidationError(`${op}(${JSON.stringify(field)}, ${value}) compares with nothing: use isNull(field) or isNotNull(field)`);
  }
  return value;
}

/** `field = value`; false when the field is null or missing. */
export const eq = (field: string, value: FilterValue): Filter => ({ op: 'eq', field, value: comparable('eq', field, value) });
/** `field <> value`; false when the field is null or missing (wrap `eq` in `not` to include them). */
export const ne = (field: string, value: FilterValue): Filter => ({ op: 'ne', field, value: comparable('ne', field, value) });
/** `field > value`; false when the field is null or missing. */
export const gt = (field: string, value: FilterValue): Filter => ({ op: 'gt', field, value: comparable('gt', field, value) });
/** `field >= value`; false when the field is null or missing. */
export const gte = (field: string, value: FilterValue): Filter => ({ op: 'gte', field, value: comparable('gte', field, value) });
/** `field < value`; false when the field is null or missing. */
export const lt = (field: string, value: FilterValue): Filter => ({ op: 'lt', field, value: comparable('lt', field, value) });
/** `field <= value`; false when the field is null or missing. */
export const lte = (field: string, value: FilterValue): Filter => ({ op: 'lte', field, value: comparable('lte', field, value) });
/** Case-sensitive pattern: `%` any run, `_` one character, `\` escapes. */
export const like = (field: string, pattern: string): Filter => ({ op: 'like', field, value: pattern });
/** Like `like`, ignoring the case of ASCII letters (the one case folding every backend agrees on). */
export const ilike = (field: string, pattern: string): Filter => ({ op: 'ilike', field, value: pattern });
// Spreading a string would turn inArray('title', 'abc') into a match on 'a', 'b' or 'c'.
function valueList(op: string, field: string, values: readonly FilterValue[]): FilterValue[] {
  if (!Array.isArray(values)) throw new ValidationError(`${op}(${JSON.stringify(field)}, values) needs an array of values, got ${describeType(values)}`);
  return [...values];
}

/** Matches when the field equals one of `values`; an empty list matches nothing. */
export const inArray = (field: string, values: readonly FilterValue[]): Filter => ({ op: 'inArray', field, values: valueList('inArray', field, values) });
/** Matches a non-null field equal to none of `values`. */
export const notInArray = (field: string, values: readonly FilterValue[]): Filter => ({
  op: 'notInArray',
  field,
  values: valueList('notInArray', field, values),
});
/** Matches null and missing. */
export const isNull = (field: string): Filter => ({ op: 'isNull', field });
/** Matches a field that is present and not null. */
export const isNotNull = (field: string): Filter => ({ op: 'isNotNull', field });
/** All of `filters`; `and()` is true. */
export const and = (...filters: Filter[]): Filter => ({ op: 'and', filters });
/** Any of `filters`; `or()` is false. */
export const or = (...filters: Filter[]): Filter => ({ op: 'or', filters });
/** Negates the two-valued result: `not(eq('metadata.a', 1))` includes sessions without `a`. */
export const not = (filter: Filter): Filter => ({ op: 'not', filter });

/** Ascending order on `field`, for `orderBy`. */
export const asc = (field: string): OrderTerm => ({ field, direction: 'asc' });
/** Descending order on `field`, for `orderBy`. */
export const desc = (field: string): OrderTerm => ({ field, direction: 'desc' });
