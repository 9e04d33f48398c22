import { describe, expect, it } from 'vitest';
import { eq, gte } from '../src/index.js';
import { countRows, MessageModel, queryRows, resolveFilter, resolveOrderBy, type ResolvedQuery } from '../src/engine/index.js';

interface Row {
  userId: string;
  sessionId: string;
  seq: number;
  role: string;
}

const rows: Row[] = [
  { userId: 'b', sessionId: 's', seq: 2, role: 'user' },
  { userId: 'a', sessionId: 's', seq: 3, role: 'assistant' },
  { userId: 'a', sessionId: 's', seq: 1, role: 'user' },
  { userId: 'a', sessionId: 't', seq: 1, role: 'user' },
];

function query(parts: { where?: unknown; orderBy?: unknown; limit?: number; offset?: number }): ResolvedQuery {
  return {
    where: parts.where === undefined ? { kind: 'constant', value: true } : resolveFilter(parts.where, MessageModel),
    orderBy: resolveOrderBy(parts.orderBy, MessageModel),
    limit: parts.limit,
    offset: parts.offset,
  };
}

describe('queryRows', () => {
  it('filters, then orders by the terms and the primary key after them', () => {
    const page = queryRows(rows, query({ where: eq('role', 'user'), orderBy: [{ field: 'seq', direction: 'desc' }] }));
    expect(page.map((row) => `${row.userId}/${row.sessionId}/${row.seq}`)).toEqual(['b/s/2', 'a/s/1', 'a/t/1']);
  });

  it('slices by offset and limit after ordering', () => {
    const all = queryRows(rows, query({}));
    expect(all.map((row) => row.seq)).toEqual([1, 3, 1, 2]);
    expect(queryRows(rows, query({ offset: 1, limit: 2 }))).toEqual(all.slice(1, 3));
    expect(queryRows(rows, query({ offset: 3 }))).toEqual(all.slice(3));
    expect(queryRows(rows, query({ limit: 0 }))).toEqual([]);
  });

  it('returns the records it was given, not copies, and leaves their order alone', () => {
    const before = [...rows];
    const page = queryRows(rows, query({ where: eq('userId', 'b') }));
    expect(page[0]).toBe(rows[0]);
    expect(rows).toEqual(before);
  });

  it('takes any iterable', () => {
    const page = queryRows(new Set(rows), query({ where: gte('seq', 2) }));
    expect(page.map((row) => row.seq)).toEqual([3, 2]);
  });
});

describe('countRows', () => {
  it('counts the records the filter matches', () => {
    expect(countRows(rows, resolveFilter(eq('role', 'user'), MessageModel))).toBe(3);
    expect(countRows(rows, { kind: 'constant', value: false })).toBe(0);
  });
});
