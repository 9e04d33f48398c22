import { beforeAll, describe, it } from 'vitest';
import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  ilike,
  inArray,
  isNotNull,
  isNull,
  like,
  lt,
  lte,
  ne,
  not,
  notInArray,
  or,
  parseFilter,
  type Filter,
  type Session,
} from '@sessions/core';
import { randomId, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

const HOSTILE = `Robert'); DROP TABLE sessions;-- "quoted" \\ back\\slash %_`;

/** Named rows with the values every operator is checked against. */
const ROWS: Record<string, { title: string | null; metadata: Session['metadata']; lastSeq: number; updatedAt: string; expiresAt: string | null }> = {
  web: {
    title: 'Alpha',
    metadata: { channel: 'web', n: 1, flag: true, plan: { tier: 'pro' } },
    lastSeq: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: null,
  },
  app: {
    title: 'alpha',
    metadata: { channel: 'app', n: 2.5, flag: false, plan: { tier: 'free' } },
    lastSeq: 2,
    updatedAt: '2026-01-02T00:00:00.000Z',
    expiresAt: '2030-01-01T00:00:00.000Z',
  },
  numericString: { title: 'beta', metadata: { channel: 'Web', n: '2.5', flag: 'true' }, lastSeq: 3, updatedAt: '2026-01-03T00:00:00.000Z', expiresAt: null },
  nullish: { title: null, metadata: { channel: null, n: null }, lastSeq: 4, updatedAt: '2026-01-04T00:00:00.000Z', expiresAt: null },
  empty: { title: '', metadata: {}, lastSeq: 5, updatedAt: '2026-01-05T00:00:00.000Z', expiresAt: null },
  unicode: {
    title: 'Ünïcødé 😀 日本',
    metadata: { channel: '😀', n: -10, nested: { deep: { x: 'y' } } },
    lastSeq: 6,
    updatedAt: '2026-01-06T00:00:00.000Z',
    expiresAt: null,
  },
  hostile: {
    title: HOSTILE,
    metadata: { channel: HOSTILE, n: 1e9, [`key with 'quote'`]: 'v' },
    lastSeq: 7,
    updatedAt: '2026-01-07T00:00:00.000Z',
    expiresAt: null,
  },
  objectValue: { title: 'a_c', metadata: { channel: { not: 'a string' }, n: [1, 2] }, lastSeq: 8, updatedAt: '2026-01-08T00:00:00.000Z', expiresAt: null },
  private: { title: 'abc', metadata: { channel: '\uE000', n: 0 }, lastSeq: 9, updatedAt: '2026-01-09T00:00:00.000Z', expiresAt: null },
  astral: { title: 'a%c', metadata: { channel: '\u{10000}', n: -0.5 }, lastSeq: 10, updatedAt: '2026-01-10T00:00:00.000Z', expiresAt: null },
};

/** Every filter operator on every kind of field, with the exact rows it must match. */
export function filterTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('filters', () => {
    const ctx = useEngine(init);
    const userId = randomId('filters');
    const names = Object.keys(ROWS);

    beforeAll(async () => {
      const records: Session[] = names.map((name) => {
        const row = ROWS[name]!;
        return {
          userId,
          sessionId: name,
          title: row.title,
          metadata: row.metadata,
          state: {},
          status: name === 'app' ? 'archived' : 'active',
          createdAt: new Date(row.updatedAt),
          updatedAt: new Date(row.updatedAt),
          expiresAt: row.expiresAt ? new Date(row.expiresAt) : null,
          parentSessionId: name === 'unicode' ? 'web' : null,
          parentSeq: name === 'unicode' ? 1 : null,
          messageCount: 0,
          lastSeq: row.lastSeq,
          version: 0,
        };
      });
      await ctx.engine.insert('sessions', records);
    });

    async function matching(filter: Filter): Promise<string[]> {
      const found = await ctx.engine.findMany('sessions', { where: and(eq('userId', userId), filter), orderBy: [asc('sessionId')] });
      const counted = await ctx.engine.count('sessions', { where: and(eq('userId', userId), filter) });
      const ids = found.map((session) => session.sessionId);
      if (counted !== ids.length) {
        throw new Error(`count must count what findMany returns: count said ${counted}, findMany returned ${ids.length}, for where ${JSON.stringify(filter)}`);
      }
      return ids;
    }
    const sorted = (ids: string[]) => [...ids].sort();

    const cases: Array<[string, Filter, string[]]> = [
      ['eq on a string column', eq('title', 'Alpha'), ['web']],
      ['eq is case-sensitive', eq('title', 'alpha'), ['app']],
      ['eq matches the empty string only', eq('title', ''), ['empty']],
      ['eq with a quoted, SQL-looking value', eq('title', HOSTILE), ['hostile']],
      ['eq with unicode', eq('title', 'Ünïcødé 😀 日本'), ['unicode']],
      ['ne excludes nulls', ne('title', 'Alpha'), names.filter((n) => n !== 'web' && n !== 'nullish')],
      ['not(eq) includes nulls', not(eq('title', 'Alpha')), names.filter((n) => n !== 'web')],
      ['gt on strings compares by code point', gt('title', 'a'), ['app', 'astral', 'objectValue', 'private', 'numericString', 'unicode']],
      ['lt on strings compares by code point', lt('title', 'B'), ['web', 'empty']],
      ['gte and lte bound a string range', and(gte('title', 'a%c'), lte('title', 'abc')), ['astral', 'objectValue', 'private']],
      ['isNull on a nullable column', isNull('title'), ['nullish']],
      ['isNotNull on a nullable column', isNotNull('title'), names.filter((n) => n !== 'nullish')],
      ['inArray on a column', inArray('title', ['Alpha', 'beta', 'missing']), ['web', 'numericString']],
      ['inArray with an empty list matches nothing', inArray('title', []), []],
      ['notInArray excludes nulls', notInArray('title', ['Alpha', 'beta']), names.filter((n) => !['web', 'numericString', 'nullish'].includes(n))],
      ['not(inArray) includes nulls', not(inArray('title', ['Alpha', 'beta'])), names.filter((n) => !['web', 'numericString'].includes(n))],
      ['like with % is case-sensitive', like('title', 'a%'), ['app', 'astral', 'objectValue', 'private']],
      ['like with _ matches exactly one character', like('title', 'a_c'), ['astral', 'objectValue', 'private']],
      ['like with an escaped % matches a literal %', like('title', 'a\\%c'), ['astral']],
      ['like with an escaped _ matches a literal _', like('title', 'a\\_c'), ['objectValue']],
      ['like with _ matches one astral character', like('title', 'Ünïcødé _ 日本'), ['unicode']],
      ['like matches SQL-looking text literally', like('title', "Robert'); DROP%"), ['hostile']],
      ['ilike folds ASCII case', ilike('title', 'ALPHA'), ['app', 'web']],
      ['ilike keeps non-ASCII case', ilike('title', 'üNÏCØDÉ%'), []],
      ['eq on an enum column', eq('status', 'archived'), ['app']],
      ['ne on an enum column', ne('status', 'archived'), names.filter((n) => n !== 'app')],
      ['eq on an integer column', eq('lastSeq', 3), ['numericString']],
      ['gt and lte on an integer column', and(gt('lastSeq', 7), lte('lastSeq', 9)), ['objectValue', 'private']],
      ['inArray on an integer column', inArray('lastSeq', [1, 10, 99]), ['web', 'astral']],
      ['isNotNull on a nullable integer column', isNotNull('parentSeq'), ['unicode']],
      ['eq on a nullable id column', eq('parentSessionId', 'web'), ['unicode']],
      ['ne on a nullable id column excludes nulls', ne('parentSessionId', 'zzz'), ['unicode']],
      ['gt on a timestamp', gt('updatedAt', new Date('2026-01-08T00:00:00.000Z')), ['private', 'astral']],
      ['lte on a timestamp with an ISO string', lte('updatedAt', '2026-01-02T00:00:00.000Z'), ['web', 'app']],
      ['eq on a timestamp to the millisecond', eq('updatedAt', new Date('2026-01-05T00:00:00.000Z')), ['empty']],
      ['isNull on a nullable timestamp', isNull('expiresAt'), names.filter((n) => n !== 'app')],
      ['gt on a nullable timestamp excludes nulls', gt('expiresAt', new Date('2020-01-01T00:00:00.000Z')), ['app']],
      ['eq on a metadata string', eq('metadata.channel', 'web'), ['web']],
      ['eq on metadata is case-sensitive', eq('metadata.channel', 'Web'), ['numericString']],
      ['eq on a metadata number does not match a numeric string', eq('metadata.n', 2.5), ['app']],
      ['eq on a metadata string does not match a number', eq('metadata.n', '2.5'), ['numericString']],
      ['eq on a metadata boolean does not match the string "true"', eq('metadata.flag', true), ['web']],
      ['eq false on a metadata boolean', eq('metadata.flag', false), ['app']],
      ['ne on a metadata boolean excludes other types and missing', ne('metadata.flag', true), ['app']],
      [
        'ne on metadata excludes missing, null and other types',
        ne('metadata.channel', 'web'),
        ['app', 'numericString', 'unicode', 'hostile', 'private', 'astral'],
      ],
      ['not(eq) on metadata includes missing, null and other types', not(eq('metadata.channel', 'web')), names.filter((n) => n !== 'web')],
      ['gt on metadata numbers ignores strings, null and arrays', gt('metadata.n', 0), ['web', 'app', 'hostile']],
      ['lt on metadata numbers handles negatives and fractions', lt('metadata.n', 0), ['unicode', 'astral']],
      ['gte and lte on metadata numbers', and(gte('metadata.n', 0), lte('metadata.n', 1)), ['web', 'private']],
      ['gt on metadata strings compares by code point', gt('metadata.channel', '\uD7FF'), ['unicode', 'private', 'astral']],
      ['lt on metadata strings ignores numbers and objects', lt('metadata.channel', 'a'), ['numericString', 'hostile']],
      ['inArray on metadata strings', inArray('metadata.channel', ['web', 'app', '😀']), ['web', 'app', 'unicode']],
      ['inArray on metadata numbers', inArray('metadata.n', [1, 0, 1e9]), ['web', 'private', 'hostile']],
      [
        'notInArray on metadata excludes missing, null and other types',
        notInArray('metadata.channel', ['web', 'app']),
        ['numericString', 'unicode', 'hostile', 'private', 'astral'],
      ],
      ['isNull on metadata matches missing and JSON null', isNull('metadata.channel'), ['nullish', 'empty']],
      ['isNotNull on metadata matches any present, non-null value', isNotNull('metadata.channel'), names.filter((n) => n !== 'nullish' && n !== 'empty')],
      ['eq on a nested metadata path', eq('metadata.plan.tier', 'pro'), ['web']],
      ['isNull on a path through a missing object', isNull('metadata.plan.tier'), names.filter((n) => n !== 'web' && n !== 'app')],
      ['eq on a deep path', eq('metadata.nested.deep.x', 'y'), ['unicode']],
      ['like on metadata strings', like('metadata.channel', '%e%'), ['web', 'numericString', 'hostile']],
      ['like on metadata never matches numbers', like('metadata.n', '%'), ['numericString']],
      ['ilike on metadata strings', ilike('metadata.channel', 'WEB'), ['web', 'numericString']],
      ['eq with a hostile metadata value', eq('metadata.channel', HOSTILE), ['hostile']],
      ['or of comparisons', or(eq('title', 'Alpha'), eq('metadata.n', 0)), ['web', 'private']],
      ['and of comparisons', and(like('title', 'a%'), lt('lastSeq', 9)), ['app', 'objectValue']],
      ['empty and is true', and(), names],
      ['empty or is false', or(), []],
      ['not of empty or is true', not(or()), names],
      ['double negation', not(not(eq('metadata.channel', 'web'))), ['web']],
      ['not over or', not(or(isNull('title'), like('title', '%a%'))), ['empty', 'unicode']],
      [
        'strings order U+E000 before U+10000 (code points, not UTF-16 units)',
        and(lt('metadata.channel', '\u{10000}'), gt('metadata.channel', '\uD7FF')),
        ['private'],
      ],
    ];

    for (const [name, filter, expected] of cases) {
      it(`${name}`, async ({ expect }) => {
        expect(await matching(filter), `findMany must return exactly the sessions that match where ${JSON.stringify(filter)} (${name})`).toEqual(
          sorted(expected),
        );
      });
    }

    it('accepts the same filters as JSON, through parseFilter', async ({ expect }) => {
      const filter = parseFilter(JSON.stringify(and(gt('updatedAt', new Date('2026-01-08T00:00:00.000Z')), not(eq('metadata.channel', 'web')))));
      expect(await matching(filter), 'findMany must treat a filter parsed from JSON (ISO dates as strings) as the filter it was built from').toEqual([
        'astral',
        'private',
      ]);
    });

    it('orders by a nullable column with nulls first ascending and last descending', async ({ expect }) => {
      const up = await ctx.engine.findMany('sessions', { where: eq('userId', userId), orderBy: [asc('title')] });
      expect(
        up.map((s) => s.sessionId),
        'findMany must order asc with nulls first, then by code point',
      ).toEqual(['nullish', 'empty', 'web', 'hostile', 'astral', 'objectValue', 'private', 'app', 'numericString', 'unicode']);
      const down = await ctx.engine.findMany('sessions', { where: eq('userId', userId), orderBy: [desc('title')] });
      expect(
        down.map((s) => s.sessionId),
        'findMany must order desc as the exact reverse of asc (nulls last)',
      ).toEqual([...up.map((s) => s.sessionId)].reverse());
    });

    it('orders strings by code point, not by UTF-16 unit or locale', async ({ expect }) => {
      const where = and(eq('userId', userId), inArray('sessionId', ['private', 'astral', 'unicode', 'web']));
      const rows = await ctx.engine.findMany('sessions', { where, orderBy: [asc('title')] });
      expect(
        rows.map((s) => s.sessionId),
        'findMany must order strings by Unicode code point (U+E000 before U+10000), not by UTF-16 unit or locale',
      ).toEqual(['web', 'astral', 'private', 'unicode']);
    });

    it('breaks ties by primary key so pages never overlap', async ({ expect }) => {
      const where = eq('userId', userId);
      const seen: string[] = [];
      for (let offset = 0; offset < names.length; offset += 3) {
        const page = await ctx.engine.findMany('sessions', { where, orderBy: [asc('status')], limit: 3, offset });
        seen.push(...page.map((s) => s.sessionId));
      }
      expect(seen, 'findMany must return every session once across limit/offset pages').toHaveLength(names.length);
      expect(new Set(seen).size, 'findMany must break orderBy ties by primary key (userId, sessionId) so pages never overlap').toBe(names.length);
    });

    it('filters messages by role, seq and metadata', async ({ expect }) => {
      const manager = ctx.manager();
      const key = { userId, sessionId: randomId('messages') };
      await manager.create(key);
      await manager.append(key, [
        { role: 'system', content: 'rules' },
        { role: 'user', content: 'hi', metadata: { lang: 'en' } },
        { role: 'assistant', content: 'hello', metadata: { lang: 'en', tokens: 5 } },
        { role: 'user', content: 'salut', metadata: { lang: 'fr' } },
      ]);
      const mine = and(eq('userId', key.userId), eq('sessionId', key.sessionId));
      const seqs = async (filter: Filter) => (await ctx.engine.findMany('messages', { where: and(mine, filter), orderBy: [desc('seq')] })).map((m) => m.seq);
      expect(await seqs(eq('role', 'user')), "findMany('messages') must filter by role (eq role 'user'), ordered by seq desc").toEqual([4, 2]);
      expect(await seqs(gt('seq', 2)), "findMany('messages') must filter by seq (gt seq 2)").toEqual([4, 3]);
      expect(await seqs(eq('metadata.lang', 'en')), "findMany('messages') must filter by a metadata path (eq metadata.lang 'en')").toEqual([3, 2]);
      expect(
        await seqs(not(eq('metadata.lang', 'en'))),
        "findMany('messages') must include messages whose metadata.lang is missing in not(eq metadata.lang 'en')",
      ).toEqual([4, 1]);
      expect(await seqs(gte('metadata.tokens', 5)), "findMany('messages') must compare metadata numbers (gte metadata.tokens 5; missing is false)").toEqual([
        3,
      ]);
      expect(
        await ctx.engine.count('messages', { where: and(mine, isNull('name')) }),
        "count('messages') must match a name never set with isNull('name')",
      ).toBe(4);
    });
  });
}
