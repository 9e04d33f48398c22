import { beforeAll, describe, it } from 'vitest';
import fc from 'fast-check';
import {
  and,
  eq,
  MemoryEngine,
  type Engine,
  type Filter,
  type FilterValue,
  type JsonObject,
  type JsonValue,
  type OrderTerm,
  type Session,
} from '@sessions/core';
import { randomId, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

// Values chosen to collide: case variants, code point edge cases, LIKE metacharacters, quotes, numbers near each other.
const STRINGS = [
  '',
  'a',
  'A',
  'ab',
  'aB',
  'b',
  'a%',
  'a_b',
  'a\\b',
  "O'Brien",
  '"; DROP TABLE x; --',
  'é',
  'É',
  'z',
  '\uE000',
  '\u{10000}',
  '😀',
  '日本',
  ' a',
  'a ',
];
const NUMBERS = [-2, -0.5, 0, 1, 1.5, 2, 10, 1e6];
const PATTERNS = ['%', '_', 'a%', '%a', '%b%', 'A%', '_b', 'a\\%', 'a\\_b', '%\\\\%', '__', '%😀%', 'é%', "O'%", '%;%'];
const DATES = ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.001Z', '2026-03-01T12:00:00.000Z', '2026-12-31T23:59:59.999Z'].map((iso) => new Date(iso));

const jsonLeaf: fc.Arbitrary<JsonValue | undefined> = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...NUMBERS),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant<JsonValue>({ nested: 'object' }),
  fc.constant([1, 'a'] as JsonValue),
);

const metadataArb: fc.Arbitrary<JsonObject> = fc
  .record({ a: jsonLeaf, b: jsonLeaf, c: fc.oneof(fc.constant(undefined), fc.record({ d: jsonLeaf })) })
  .map((record) => JSON.parse(JSON.stringify(record)) as JsonObject);

const sessionArb = (userId: string, index: number): fc.Arbitrary<Session> =>
  fc
    .record({
      title: fc.option(fc.constantFrom(...STRINGS), { nil: null }),
      metadata: metadataArb,
      status: fc.constantFrom('active' as const, 'archived' as const),
      createdAt: fc.constantFrom(...DATES),
      updatedAt: fc.constantFrom(...DATES),
      expiresAt: fc.option(fc.constantFrom(...DATES), { nil: null }),
      parentSeq: fc.option(fc.constantFrom(0, 1, 2), { nil: null }),
      lastSeq: fc.constantFrom(0, 1, 2, 3),
    })
    .map((fields) => ({
      userId,
      sessionId: `s${String(index).padStart(2, '0')}`,
      state: {},
      parentSessionId: fields.parentSeq === null ? null : 'parent',
      messageCount: 0,
      version: 0,
      ...fields,
    }));

type FieldKind = 'string' | 'enum' | 'integer' | 'timestamp' | 'json';
const FIELDS: Array<[string, FieldKind]> = [
  ['title', 'string'],
  ['sessionId', 'string'],
  ['parentSessionId', 'string'],
  ['status', 'enum'],
  ['lastSeq', 'integer'],
  ['parentSeq', 'integer'],
  ['createdAt', 'timestamp'],
  ['updatedAt', 'timestamp'],
  ['expiresAt', 'timestamp'],
  ['metadata.a', 'json'],
  ['metadata.b', 'json'],
  ['metadata.c.d', 'json'],
  ['metadata.missing', 'json'],
];

function valueArb(kind: FieldKind): fc.Arbitrary<FilterValue> {
  switch (kind) {
    case 'string':
      return fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom('s01', 's05', 'parent'));
    case 'enum':
      return fc.constantFrom('active', 'archived');
    case 'integer':
      return fc.constantFrom(-1, 0, 1, 2, 3, 1.5);
    case 'timestamp':
      return fc.constantFrom(...DATES);
    case 'json':
      return fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS), fc.boolean());
  }
}

function leafArb(): fc.Arbitrary<Filter> {
  return fc.constantFrom(...FIELDS).chain(([field, kind]) => {
    const options: fc.Arbitrary<Filter>[] = [
      fc.constantFrom('isNull' as const, 'isNotNull' as const).map((op) => ({ op, field })),
      valueArb(kind).chain((value) => {
        const ops = typeof value === 'boolean' ? (['eq', 'ne'] as const) : (['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const);
        return fc.constantFrom(...ops).map((op): Filter => ({ op, field, value }));
      }),
    ];
    if (kind === 'string' || kind === 'enum' || kind === 'json') {
      options.push(fc.tuple(fc.constantFrom('like' as const, 'ilike' as const), fc.constantFrom(...PATTERNS)).map(([op, value]) => ({ op, field, value })));
    }
    const listType = kind === 'json' ? fc.constantFrom('string', 'number') : fc.constant(kind);
    options.push(
      listType.chain((type) => {
        const element = type === 'string' && kind === 'json' ? fc.constantFrom(...STRINGS) : type === 'number' ? fc.constantFrom(...NUMBERS) : valueArb(kind);
        return fc
          .tuple(fc.constantFrom('inArray' as const, 'notInArray' as const), fc.array(element, { maxLength: 4 }))
          .map(([op, values]): Filter => ({ op, field, values }));
      }),
    );
    return fc.oneof(...options);
  });
}

const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ filter: Filter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb(),
    fc.array(tie('filter'), { maxLength: 3 }).map((filters): Filter => ({ op: 'and', filters })),
    fc.array(tie('filter'), { maxLength: 3 }).map((filters): Filter => ({ op: 'or', filters })),
    tie('filter').map((filter): Filter => ({ op: 'not', filter })),
  ),
})).filter;

const orderArb: fc.Arbitrary<OrderTerm[]> = fc.array(
  fc.record({
    field: fc.constantFrom('title', 'status', 'lastSeq', 'parentSeq', 'createdAt', 'updatedAt', 'expiresAt', 'sessionId', 'parentSessionId'),
    direction: fc.constantFrom('asc' as const, 'desc' as const),
  }),
  { maxLength: 3 },
);

/** Random filters, orderings and pages must return exactly what MemoryEngine returns. */
export function differentialTests(init: ConformanceInitializer, options: ConformanceOptions = {}): void {
  describe('differential against MemoryEngine', () => {
    const ctx = useEngine(init);
    const reference = new MemoryEngine();
    const userId = randomId('diff');
    const numRuns = options.numRuns ?? 150;
    const seed = options.seed ?? Date.now() % 2_147_483_647;

    beforeAll(async () => {
      await reference.setup();
      const sessions = fc.sample(fc.tuple(...Array.from({ length: 40 }, (_, i) => sessionArb(userId, i))), { numRuns: 1, seed: 20261122 })[0]!;
      await reference.insert('sessions', sessions);
      await ctx.engine.insert('sessions', sessions);
    });

    const ids = async (engine: Engine, where: Filter, orderBy: OrderTerm[], limit?: number, offset?: number) =>
      (
        await engine.findMany('sessions', {
          where: and(eq('userId', userId), where),
          orderBy,
          ...(limit === undefined ? {} : { limit }),
          ...(offset === undefined ? {} : { offset }),
        })
      ).map((session) => session.sessionId);

    it('returns the same sessions, in the same order, for random filters', async ({ expect }) => {
      await fc.assert(
        fc.asyncProperty(filterArb, orderArb, async (where, orderBy) => {
          const expected = await ids(reference, where, orderBy);
          const actual = await ids(ctx.engine, where, orderBy);
          expect(actual, `findMany must return what MemoryEngine returns for where ${JSON.stringify(where)} orderBy ${JSON.stringify(orderBy)}`).toEqual(
            expected,
          );
        }),
        { numRuns, seed, endOnFailure: true, includeErrorInReport: true },
      );
    });

    it('returns the same counts and pages for random filters', async ({ expect }) => {
      await fc.assert(
        fc.asyncProperty(filterArb, orderArb, fc.integer({ min: 1, max: 15 }), fc.integer({ min: 0, max: 45 }), async (where, orderBy, limit, offset) => {
          const query = `where ${JSON.stringify(where)} orderBy ${JSON.stringify(orderBy)} limit ${limit} offset ${offset}`;
          const page = await ids(ctx.engine, where, orderBy, limit, offset);
          expect(page, `findMany must sort, skip offset and take limit as MemoryEngine does for ${query}`).toEqual(
            await ids(reference, where, orderBy, limit, offset),
          );
          const scoped = and(eq('userId', userId), where);
          const counted = await ctx.engine.count('sessions', { where: scoped });
          expect(counted, `count must count what MemoryEngine counts (ignoring limit and offset) for where ${JSON.stringify(scoped)}`).toBe(
            await reference.count('sessions', { where: scoped }),
          );
        }),
        { numRuns: Math.ceil(numRuns / 2), seed: seed + 1, endOnFailure: true, includeErrorInReport: true },
      );
    });
  });
}
