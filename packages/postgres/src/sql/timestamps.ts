import { ValidationError } from '@sessions/core';
import { quoteIdent } from './identifiers.js';

/** PostgreSQL's timestamptz starts at 4713 BC (astronomical year -4712); JavaScript's Date reaches further back. */
const EARLIEST_YEAR = -4712;

/**
 * A Date as text PostgreSQL parses exactly, to the millisecond. `toISOString()` already is,
 * for years 1 to 9999; outside them it writes `+010000-...` or `-000001-...`, which
 * PostgreSQL rejects, so those years are spelled the way PostgreSQL writes them.
 */
export function toPgTimestamp(date: Date): string {
  const iso = date.toISOString();
  const year = date.getUTCFullYear();
  if (year >= 1 && year <= 9999) return iso;
  if (year < EARLIEST_YEAR) throw new ValidationError(`${iso} is before 4713 BC, the earliest timestamp PostgreSQL stores`);
  const rest = iso.slice(iso.indexOf('-', 1));
  return year > 0 ? `${year}${rest}` : `${String(1 - year).padStart(4, '0')}${rest} BC`;
}

/**
 * A Date to compare stored timestamps with. An instant before any storable one compares like
 * `-infinity`, so filters keep their meaning instead of failing on PostgreSQL's range.
 */
export function toPgComparableTimestamp(date: Date): string {
  return date.getUTCFullYear() < EARLIEST_YEAR ? '-infinity' : toPgTimestamp(date);
}

export function toPgTimestampOrNull(date: Date | null | undefined): string | null {
  return date ? toPgTimestamp(date) : null;
}

/**
 * A timestamptz column read as epoch milliseconds. This keeps the result independent of the
 * session's TimeZone and of any type parser installed on an injected pool.
 */
export function epochMs(expression: string): string {
  return `round(extract(epoch FROM ${expression}) * 1000)::float8`;
}

export function epochMsOfColumn(column: string): string {
  return epochMs(quoteIdent(column));
}

/** The server clock plus a duration in milliseconds, truncated so it round-trips exactly. */
export function serverClockPlus(durationParam: string): string {
  return `date_trunc('milliseconds', clock_timestamp() + ${durationParam}::float8 * INTERVAL '1 millisecond')`;
}
