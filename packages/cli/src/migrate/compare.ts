import type { JsonValue, Session } from '@sessions/core';

/** JSON text with object keys sorted, so two stores that keep keys in different orders compare equal. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const time = (date: Date | null): number | null => (date === null ? null : date.getTime());

/**
 * The fields in which two copies of a session differ, ignoring `messageCount` and
 * `lastSeq` (which a partial copy is allowed to trail). Empty when they are the same session.
 */
export function differingFields(a: Session, b: Session): string[] {
  const differences: string[] = [];
  const check = (field: string, equal: boolean): void => {
    if (!equal) differences.push(field);
  };
  check('title', a.title === b.title);
  check('status', a.status === b.status);
  check('createdAt', time(a.createdAt) === time(b.createdAt));
  check('updatedAt', time(a.updatedAt) === time(b.updatedAt));
  check('expiresAt', time(a.expiresAt) === time(b.expiresAt));
  check('parentSessionId', a.parentSessionId === b.parentSessionId);
  check('parentSeq', a.parentSeq === b.parentSeq);
  check('version', a.version === b.version);
  check('metadata', canonicalJson(a.metadata) === canonicalJson(b.metadata));
  check('state', canonicalJson(a.state) === canonicalJson(b.state));
  return differences;
}

/** Same fields and the same message counters: a complete copy. */
export function isCompleteCopy(source: Session, target: Session): boolean {
  return differingFields(source, target).length === 0 && source.messageCount === target.messageCount && source.lastSeq === target.lastSeq;
}
