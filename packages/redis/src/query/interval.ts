/** One end of a range; `open` excludes the value itself. */
export interface Bound<T> {
  readonly value: T;
  readonly open: boolean;
}

/**
 * The values a field may hold for a filter to be true: never null, and within the bounds
 * (an absent bound is unbounded). `empty` means no value can match.
 */
export interface Interval<T> {
  readonly low?: Bound<T>;
  readonly high?: Bound<T>;
  readonly empty?: boolean;
}

export type Compare<T> = (a: T, b: T) => number;

export const EMPTY: Interval<never> = Object.freeze({ empty: true });

export function point<T>(value: T): Interval<T> {
  return { low: { value, open: false }, high: { value, open: false } };
}

function tighterLow<T>(a: Bound<T> | undefined, b: Bound<T> | undefined, cmp: Compare<T>): Bound<T> | undefined {
  if (!a) return b;
  if (!b) return a;
  const order = cmp(a.value, b.value);
  if (order !== 0) return order > 0 ? a : b;
  return a.open ? a : b;
}

function tighterHigh<T>(a: Bound<T> | undefined, b: Bound<T> | undefined, cmp: Compare<T>): Bound<T> | undefined {
  if (!a) return b;
  if (!b) return a;
  const order = cmp(a.value, b.value);
  if (order !== 0) return order < 0 ? a : b;
  return a.open ? a : b;
}

function looserLow<T>(a: Bound<T> | undefined, b: Bound<T> | undefined, cmp: Compare<T>): Bound<T> | undefined {
  if (!a || !b) return undefined;
  const order = cmp(a.value, b.value);
  if (order !== 0) return order < 0 ? a : b;
  return a.open ? b : a;
}

function looserHigh<T>(a: Bound<T> | undefined, b: Bound<T> | undefined, cmp: Compare<T>): Bound<T> | undefined {
  if (!a || !b) return undefined;
  const order = cmp(a.value, b.value);
  if (order !== 0) return order > 0 ? a : b;
  return a.open ? b : a;
}

function isEmpty<T>(interval: Interval<T>, cmp: Compare<T>): boolean {
  if (interval.empty) return true;
  const { low, high } = interval;
  if (!low || !high) return false;
  const order = cmp(low.value, high.value);
  return order > 0 || (order === 0 && (low.open || high.open));
}

/** Values in both. */
export function intersect<T>(a: Interval<T>, b: Interval<T>, cmp: Compare<T>): Interval<T> {
  if (a.empty || b.empty) return EMPTY;
  const result: Interval<T> = { low: tighterLow(a.low, b.low, cmp), high: tighterHigh(a.high, b.high, cmp) };
  return isEmpty(result, cmp) ? EMPTY : result;
}

/** The smallest interval holding both (a superset of their union). */
export function hull<T>(a: Interval<T>, b: Interval<T>, cmp: Compare<T>): Interval<T> {
  if (isEmpty(a, cmp)) return b;
  if (isEmpty(b, cmp)) return a;
  return { low: looserLow(a.low, b.low, cmp), high: looserHigh(a.high, b.high, cmp) };
}

export function isBounded<T>(interval: Interval<T>): boolean {
  return interval.empty === true || interval.low !== undefined || interval.high !== undefined;
}
