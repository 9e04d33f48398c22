import type { ResolvedFilter } from '@sessions/core/engine';

/** The user and session ids a filter can match at most; undefined where it does not say. */
export interface KeyHints {
  readonly userIds: ReadonlySet<string> | undefined;
  readonly sessionIds: ReadonlySet<string> | undefined;
}

/**
 * Reads from a resolved filter which users and sessions it can match, so a scan opens only
 * their folders and files (`list()` always filters on one user). It only narrows: every
 * record read is still checked against the whole filter.
 */
export function keyHints(where: ResolvedFilter): KeyHints {
  return { userIds: idsFor(where, 'userId'), sessionIds: idsFor(where, 'sessionId') };
}

function idsFor(filter: ResolvedFilter, field: string): Set<string> | undefined {
  switch (filter.kind) {
    case 'constant':
      return filter.value ? undefined : new Set();
    case 'compare':
      if (filter.op !== 'eq' || filter.target.kind !== 'column' || filter.target.field !== field || filter.operand.type !== 'string') return undefined;
      return new Set([filter.operand.value]);
    case 'in':
      if (filter.negated || filter.target.kind !== 'column' || filter.target.field !== field) return undefined;
      return new Set(filter.operands.flatMap((operand) => (operand.type === 'string' ? [operand.value] : [])));
    case 'and': {
      let result: Set<string> | undefined;
      for (const child of filter.filters) {
        const ids = idsFor(child, field);
        if (ids) result = result ? new Set([...result].filter((id) => ids.has(id))) : ids;
      }
      return result;
    }
    case 'or': {
      const result = new Set<string>();
      for (const child of filter.filters) {
        const ids = idsFor(child, field);
        if (!ids) return undefined;
        for (const id of ids) result.add(id);
      }
      return result;
    }
    default:
      return undefined;
  }
}
