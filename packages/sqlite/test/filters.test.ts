import { afterAll, beforeAll, describe, it } from 'vitest';
import fc from 'fast-check';
import {
  and,
  eq,
  ilike,
  inArray,
  isNull,
  like,
  MemoryEngine,
  ne,
  not,
  notInArray,
  type Filter,
  type JsonObject,
  type Message,
  type Session,
} from '@sessions/core';
import { MessageModel, parseLikePattern, resolveFilter, SessionModel } from '@sessions/core/engine';
import Database from 'better-sqlite3';
import { SqliteEngine } from '../src/index.js';
import { compileFilter } from '@sessions/core/sql';
import { sqliteDialect } from '../src/sql/dialect.js';
import { likeToGlob } from '../src/sql/glob.js';

describe('filter compiler', () => {
  it('binds every value as a parameter: no filter text reaches the SQL', ({ expect }) => {
    const hostile = `x'); DROP TABLE sessions; --`;
    const filter = and(eq('title', hostile), like('metadata.note', `%${hostile}%`), inArray('metadata.tag', [hostile, 'b']), eq('metadata.a-b.c_1', 5));
    const { sql, params } = compileFilter(resolveFilter(filter, SessionModel), SessionModel, sqliteDialect);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain('a-b');
    expect(params).toContain(hostile);
    expect(params).toContain('$."a-b"."c_1"');
  });

  it('renders LIKE as a case-sensitive GLOB, escaping GLOB metacharacters', ({ expect }) => {
    const glob = (pattern: string, ci = false) => likeToGlob(parseLikePattern(pattern), ci);
    expect(glob('a%b_c')).toBe('a*b?c');
    expect(glob('*?[]^')).toBe('[*][?][[]]^');
    expect(glob('100\\%\\_')).toBe('100%_');
    expect(glob('Ab%é', true)).toBe('[aA][bB]*é');
  });

  it('never yields NULL, so NOT negates a two-valued result', ({ expect }) => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE sessions (title TEXT, metadata TEXT NOT NULL)');
    db.prepare('INSERT INTO sessions VALUES (?, ?)').run(null, '{"a":null,"b":[1],"c":{"d":1}}');
    const filters: Filter[] = [
      eq('title', 'x'),
      ne('title', 'x'),
      like('title', 'x%'),
      inArray('title', ['x']),
      notInArray('title', ['x']),
      eq('metadata.a', 1),
      ne('metadata.missing', 'x'),
      eq('metadata.b', true),
      like('metadata.c', '%'),
      inArray(
        'metadata.a',
        Array.from({ length: 100 }, (_, i) => i),
      ),
      notInArray('metadata.missing', [true]),
      isNull('metadata.c'),
    ];
    for (const filter of filters) {
      const { sql, params } = compileFilter(resolveFilter(filter, SessionModel), SessionModel, sqliteDialect);
      expect(db.prepare(`SELECT (${sql}) AS value FROM sessions`).get(...params)).toEqual({ value: 0 });
      expect(db.prepare(`SELECT (NOT ${sql}) AS value FROM sessions`).get(...params)).toEqual({ value: 1 });
    }
    db.close();
  });
});

// Values that are special to SQLite (GLOB classes, json paths, LIKE's case folding) rather than to SQL in general.
const STRINGS = [
  '',
  'a',
  'A',
  '*',
  '?',
  '[',
  ']',
  '[a]',
  'a*b',
  'a?b',
  '^',
  'x\ny',
  '%',
  '_',
  '\\',
  'É',
  'é',
  'ß',
  'ǅ',
  'İ',
  'i',
  'K',
  'K',
  '😀',
  '\uFFFF',
  '\u{10FFFF}',
  "'",
  '"',
  '$.a',
  'NULL',
];
const NUMBERS = [-1e21, -3, -0.1, 0, 0.1, 1, 2 ** 53, 1e21, 123456789.123];
const PATTERNS = [
  '*',
  '?',
  '[*]',
  '%[%',
  '%]%',
  '_',
  '__',
  '%\\%%',
  '%\\_%',
  'a%',
  'A%',
  '%é',
  '%É',
  'x%y',
  '%\n%',
  'İ%',
  'i%',
  'K',
  'k',
  '%😀',
  '^%',
  '\\\\%',
];

const leaf: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS), fc.boolean(), fc.constant(null), fc.constant(undefined));
const metadataArb: fc.Arbitrary<JsonObject> = fc
  .record({ s: leaf, n: leaf, deep: fc.oneof(leaf, fc.record({ '0': leaf, 'a-b': leaf })) })
  .map((record) => JSON.parse(JSON.stringify(record)) as JsonObject);

/** Leaves on text columns (compared with strings only) and on metadata paths (any JSON scalar). */
function leafFilter(fields: string[]): fc.Arbitrary<Filter> {
  return fc.constantFrom(...fields).chain((field) => {
    const isColumn = !field.startsWith('metadata.');
    const value: fc.Arbitrary<string | number> = isColumn ? fc.constantFrom(...STRINGS) : fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS));
    const options: fc.Arbitrary<Filter>[] = [
      fc.tuple(fc.constantFrom('eq', 'ne', 'gt', 'gte', 'lt', 'lte'), value).map(([op, v]) => ({ op, field, value: v })),
      fc.tuple(fc.constantFrom('like', 'ilike'), fc.constantFrom(...PATTERNS)).map(([op, v]) => ({ op, field, value: v })),
      // Long lists take the json_each path, short ones bind each value.
      fc
        .tuple(fc.constantFrom('inArray', 'notInArray'), isColumn ? fc.constant(true) : fc.boolean(), fc.integer({ min: 1, max: 90 }))
        .chain(([op, strings, length]) =>
          fc
            .array<string | number>(strings ? fc.constantFrom(...STRINGS) : fc.constantFrom(...NUMBERS), { minLength: length, maxLength: length })
            .map((values) => ({ op, field, values })),
        ),
      fc.constantFrom('isNull', 'isNotNull').map((op) => ({ op, field })),
    ];
    if (!isColumn) {
      options.push(fc.tuple(fc.constantFrom('eq', 'ne'), fc.boolean()).map(([op, v]) => ({ op, field, value: v })));
      options.push(
        fc
          .tuple(fc.constantFrom('inArray', 'notInArray'), fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }))
          .map(([op, values]) => ({ op, field, values })),
      );
    }
    return fc.oneof(...options);
  });
}

function filterArb(fields: string[]): fc.Arbitrary<Filter> {
  return fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small' },
      leafFilter(fields),
      fc.array(tie('f'), { maxLength: 3 }).map((filters): Filter => ({ op: 'and', filters })),
      fc.array(tie('f'), { maxLength: 3 }).map((filters): Filter => ({ op: 'or', filters })),
      tie('f').map((filter): Filter => ({ op: 'not', filter })),
    ),
  })).f;
}

/** What a query returned, or which error it failed with (both engines must fail alike, too). */
async function outcome<T>(result: Promise<T>, summary: (value: T) => unknown): Promise<unknown> {
  try {
    return { rows: summary(await result) };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

describe('against MemoryEngine, on values special to SQLite', () => {
  const sqlite = new SqliteEngine({ path: ':memory:' });
  const memory = new MemoryEngine();
  const userId = 'differential';

  beforeAll(async () => {
    await sqlite.setup();
    await memory.setup();
    const sessions = fc.sample(fc.array(fc.tuple(fc.option(fc.constantFrom(...STRINGS), { nil: null }), metadataArb), { minLength: 60, maxLength: 60 }), {
      numRuns: 1,
      seed: 42,
    })[0]!;
    for (const [i, [title, metadata]] of sessions.entries()) {
      const session: Session = {
        userId,
        sessionId: `s${String(i).padStart(2, '0')}`,
        title,
        metadata,
        state: {},
        status: 'active',
        createdAt: new Date(1_700_000_000_000 + i),
        updatedAt: new Date(1_700_000_000_000 + ((i * 7) % 13)),
        expiresAt: null,
        parentSessionId: null,
        parentSeq: null,
        messageCount: 2,
        lastSeq: 2,
        version: 0,
      };
      const messages: Message[] = [1, 2].map((seq) => ({
        userId,
        sessionId: session.sessionId,
        seq,
        id: `m${seq}`,
        role: 'user',
        content: title ?? '',
        // name is an id: not empty, no control characters.
        name: seq === 1 && title && !title.includes('\n') ? title : null,
        toolCalls: null,
        toolCallId: null,
        agentId: null,
        runId: null,
        metadata: metadata,
        createdAt: new Date(1_700_000_000_000 + seq),
      }));
      await sqlite.createSession(session, messages);
      await memory.createSession(session, messages);
    }
  });

  afterAll(async () => {
    await sqlite.close();
    await memory.close();
  });

  it('finds the same sessions in the same order for random filters', async ({ expect }) => {
    await fc.assert(
      fc.asyncProperty(
        filterArb(['title', 'metadata.s', 'metadata.n', 'metadata.deep', 'metadata.deep.0', 'metadata.deep.a-b']),
        fc.constantFrom('asc', 'desc'),
        async (where, direction) => {
          const query = {
            where,
            orderBy: [
              { field: 'title', direction },
              { field: 'updatedAt', direction },
            ] as const,
          };
          const ids = (rows: Session[]) => rows.map((row) => row.sessionId);
          expect(await outcome(sqlite.findMany('sessions', query), ids)).toEqual(await outcome(memory.findMany('sessions', query), ids));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the same messages for random filters on message fields and metadata', async ({ expect }) => {
    await fc.assert(
      fc.asyncProperty(filterArb(['name', 'metadata.s', 'metadata.n', 'metadata.deep.0']), async (where) => {
        const query = { where, orderBy: [{ field: 'name', direction: 'desc' }] as const, limit: 30, offset: 3 };
        const ids = (rows: Message[]) => rows.map((row) => `${row.sessionId}/${row.seq}`);
        expect(await outcome(sqlite.findMany('messages', query), ids)).toEqual(await outcome(memory.findMany('messages', query), ids));
        expect(await outcome(sqlite.count('messages', { where }), String)).toEqual(await outcome(memory.count('messages', { where }), String));
      }),
      { numRuns: 150 },
    );
  });

  it('matches ilike on ASCII letters only, like every engine', async ({ expect }) => {
    for (const filter of [ilike('title', 'é'), ilike('title', 'É'), ilike('title', 'k'), ilike('title', 'i'), like('title', 'a'), not(ilike('title', 'A'))]) {
      const ids = (rows: Session[]) => rows.map((row) => row.sessionId);
      expect(ids(await sqlite.findMany('sessions', { where: filter }))).toEqual(ids(await memory.findMany('sessions', { where: filter })));
    }
    expect(MessageModel.name).toBe('messages');
  });
});
