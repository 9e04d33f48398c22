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
export function parseDuration(text: string, option: string): number {
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
  return total;
}

/**
 * A cut-off instant from `--older-than`: a duration before `now`, or an absolute ISO 8601
 * date (`2025-01-31`, midnight UTC, or `2025-01-31T12:00:00Z`; a time needs its zone).
 */
export function parseCutoff(text: string, option: string, now: Date): Date {
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text.trim())) {
    const date = new Date(text.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  let ms: number;
  try {
    ms = parseDuration(text, option);
  } catch {
    throw new UsageError(`${option} takes a duration such as 30d, 12h or 90m, or a date such as 2025-01-31; got ${JSON.stringify(text)}`);
  }
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
