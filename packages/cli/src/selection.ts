import { and, eq, gt, isNull, or, parseFilter, type Filter } from '@sessions/core';
import { assertId } from '@sessions/core/engine';
import type { OptionSpec, OptionValues } from './command.js';

/** `--user` and `--where`, shared by every command that selects sessions. */
export const SELECTION_OPTIONS: OptionSpec = Object.freeze({
  user: { type: 'string', short: 'u' },
  where: { type: 'string', short: 'w' },
});

export const SELECTION_HELP = `  -u, --user <id>         only this user's sessions
  -w, --where <json>      only sessions matching a filter, e.g.
                          '{"op":"eq","field":"metadata.channel","value":"web"}'
                          (operators: eq ne gt gte lt lte like ilike inArray notInArray
                          isNull isNotNull and or not; fields: session fields and metadata.<path>)`;

/**
 * The filter `--user` and `--where` describe, or undefined for "everything". Invalid input
 * is a `ValidationError` (exit 3) naming what to fix.
 */
export function selectionFilter(options: OptionValues): Filter | undefined {
  const filters: Filter[] = [];
  const user = options['user'];
  if (typeof user === 'string') {
    assertId(user, '--user');
    filters.push(eq('userId', user));
  }
  const where = options['where'];
  if (typeof where === 'string') filters.push(parseFilter(where));
  return combine(...filters);
}

/** Sessions whose TTL has not passed at `now`: what SessionManager still returns. */
export function notExpired(now: Date): Filter {
  return or(isNull('expiresAt'), gt('expiresAt', now));
}

/** `and` of the defined filters, or undefined when none is. */
export function combine(...filters: Array<Filter | undefined>): Filter | undefined {
  const defined = filters.filter((filter): filter is Filter => filter !== undefined);
  if (defined.length === 0) return undefined;
  return defined.length === 1 ? defined[0] : and(...defined);
}
