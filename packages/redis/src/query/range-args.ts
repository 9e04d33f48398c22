import type { Interval } from './interval.js';

/** ZRANGE arguments for a score interval: `[min, max, 'BYSCORE']`, or `[max, min, 'BYSCORE', 'REV']`. */
export function scoreRange(interval: Interval<number> | undefined, reverse: boolean): string[] {
  const low = interval?.low ? `${interval.low.open ? '(' : ''}${interval.low.value}` : '-inf';
  const high = interval?.high ? `${interval.high.open ? '(' : ''}${interval.high.value}` : '+inf';
  return reverse ? [high, low, 'BYSCORE', 'REV'] : [low, high, 'BYSCORE'];
}

/**
 * ZRANGE arguments for a lexicographic interval over members of equal score. Redis compares
 * members byte by byte, which for UTF-8 is code point order: the order the contract asks for.
 */
export function lexRange(interval: Interval<string> | undefined, reverse: boolean): string[] {
  const low = interval?.low ? `${interval.low.open ? '(' : '['}${interval.low.value}` : '-';
  const high = interval?.high ? `${interval.high.open ? '(' : '['}${interval.high.value}` : '+';
  return reverse ? [high, low, 'BYLEX', 'REV'] : [low, high, 'BYLEX'];
}
