import { UsageError } from './errors.js';

const UNITS: Readonly<Record<string, number>> = Object.freeze({
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
});

/**
 * Parses a duration like `30d`, `12h`, `90m`, `45s`, `500ms`, `2w`, or a sum of them
 * (`1d12h`), into milliseconds.
 */
export function parseDuration(text: string, option: string, { allowZero = true } = {}): number {
  const trimmed = text.trim();
  const part = /(\d+)\s*(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(trimmed)) !== null) {
    total += Number(match[1]) * UNITS[match[2]!]!;
    matched = part.lastIndex;
  }
  if (trimmed.length === 0 || matched !== trimmed.length || !Number.isSafeInteger(total)) {
    throw new UsageError(`${option} takes a duration such as 30d, 12h, 90m, 45s or 1d12h; got ${JSON.stringify(text)}`);
  }
  if (total === 0 && !allowZero) throw new UsageError(`${option} must be longer than 0; got ${JSON.stringify(text)}`);
  return total;
}

/**
 * A cut-off instant from `--older-than`: a duration before `now`, or an absolute ISO 8601
 * date (`2025-01-31`, midnight UTC, or `2025-01-31T12:00:00Z`; a time needs its zone).
 *
 * The cut-off must lie in the past: `0d`, or a date at or after `now`, would select every
 * session, which is never what a cleanup means (and `0d` is one keystroke from `30d`).
 */
export function parseCutoff(text: string, option: string, now: Date): Date {
  const trimmed = text.trim();
  const date = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(trimmed);
  if (date) {
    const [, year, month, day] = date;
    const cutoff = new Date(trimmed);
    // Date rolls 2025-02-30 over to March 2; a typo in a deletion date must not move it silently.
    const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    if (
      Number.isNaN(cutoff.getTime()) ||
      calendar.getUTCFullYear() !== Number(year) ||
      calendar.getUTCMonth() !== Number(month) - 1 ||
      calendar.getUTCDate() !== Number(day)
    ) {
      throw new UsageError(`${option}: ${JSON.stringify(text)} is not a date in the calendar`, 'dates look like 2025-01-31 or 2025-01-31T12:00:00Z');
    }
    if (cutoff.getTime() >= now.getTime()) {
      throw new UsageError(
        `${option} ${trimmed} is not in the past, so it would select every session`,
        `give a past date, or a duration such as 30d (now is ${now.toISOString()})`,
      );
    }
    return cutoff;
  }
  let ms: number;
  try {
    ms = parseDuration(text, option);
  } catch {
    throw new UsageError(`${option} takes a duration such as 30d, 12h or 90m, or a date such as 2025-01-31; got ${JSON.stringify(text)}`);
  }
  if (ms === 0) throw new UsageError(`${option} ${JSON.stringify(text)} would select every session`, 'give a duration longer than 0, such as 30d');
  return new Date(now.getTime() - ms);
}

/** A positive whole number from an option such as `--last 20`. */
export function parsePositiveInt(text: string, option: string, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} takes a whole number from ${min} to ${max}; got ${JSON.stringify(text)}`);
  }
  return value;
}
