import { describe, it } from 'vitest';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { and, eq, MemoryEngine, SessionManager, type Engine, type Filter, type OrderTerm, type Session } from '@sessions/core';
import type { RedisEngine } from '../src/index.js';
import { redisFileScope } from './support/file-scope.js';
import { randomPrefix, testClient, testEngine } from './support/redis.js';

const { prefixes, engines } = redisFileScope();

async function freshEngine(options: Parameters<typeof testEngine>[1] = {}): Promise<RedisEngine> {
  const prefix = randomPrefix('queries');
  prefixes.push(prefix);
  const engine = testEngine(prefix, options);
  engines.push(engine);
  await engine.setup();
  return engine;
}

/** Counts the session hashes the engine reads (HGETALL in its pipelines). */
function countHashReads(redis: Redis): { readonly count: number } {
  const counter = { count: 0 };
  const original = redis.pipeline.bind(redis);
  redis.pipeline = (...args: Parameters<Redis['pipeline']>) => {
    const pipeline = original(...args);
    const hgetall = pipeline.hgetall.bind(pipeline);
    pipeline.hgetall = (...hgetallArgs: Parameters<typeof hgetall>) => {
      counter.count++;
      return hgetall(...hgetallArgs);
    };
    return pipeline;
  };
  return counter;
}

const DAY = Date.UTC(2026, 0, 1);
const record = (userId: string, i: number, fields: Partial<Session> = {}): Session => ({
  userId,
  sessionId: `s${String(i).padStart(4, '0')}`,
  title: `t${i % 7}`,
  metadata: { n: i % 5, tag: i % 3 === 0 ? 'x' : 'y' },
  state: {},
  status: i % 4 === 0 ? 'archived' : 'active',
  createdAt: new Date(DAY + (i % 11) * 1_000),
  updatedAt: new Date(DAY + (i % 13) * 1_000),
  expiresAt: i % 6 === 0 ? new Date(DAY + 86_400_000 * 400) : null,
  parentSessionId: null,
  parentSeq: null,
  messageCount: 0,
  lastSeq: 0,
  version: 0,
  ...fields,
});

describe('index use', () => {
  it('reads about one page of sessions to list a page of a user with 2,000 sessions', async ({ expect }) => {
    const redis = testClient();
    const engine = await freshEngine({ client: redis });
    const userId = 'big-user';
    await engine.insert(
      'sessions',
      Array.from({ length: 2_000 }, (_, i) => record(userId, i, { status: 'active' })),
    );
    const reads = countHashReads(redis);
    const manager = new SessionManager({ engine });
    const first = await manager.list({ userId, limit: 20 });
    expect(first.sessions).toHaveLength(20);
    const second = await manager.list({ userId, limit: 20, cursor: first.nextCursor });
    expect(second.sessions[0]!.updatedAt.getTime()).toBeLessThanOrEqual(first.sessions[19]!.updatedAt.getTime());
    expect(reads.count).toBeLessThan(200);
    const before = reads.count;
    const range = await engine.findMany('sessions', { where: and(eq('userId', userId), eq('createdAt', new Date(DAY + 3_000))) });
    expect(range.length).toBe(Math.ceil((2_000 - 3) / 11));
    expect(reads.count - before).toBe(range.length);
    redis.disconnect();
  });
});

// Small, collision-prone filters over several users, never naming one: the paths that read every user.
const leaf: fc.Arbitrary<Filter> = fc.oneof(
  fc.constantFrom('u1', 'u2', 'u:3').map((value): Filter => ({ op: 'eq', field: 'userId', value })),
  fc.constantFrom('t0', 't3', 't6', 'z').chain((value) => fc.constantFrom('eq', 'ne', 'gt', 'lte').map((op): Filter => ({ op, field: 'title', value }))),
  fc.constantFrom('active', 'archived').map((value): Filter => ({ op: 'eq', field: 'status', value })),
  fc
    .integer({ min: 0, max: 13 })
    .chain((s) => fc.constantFrom('gt', 'lt', 'eq', 'gte').map((op): Filter => ({ op, field: 'updatedAt', value: new Date(DAY + s * 1_000) }))),
  fc.integer({ min: 0, max: 11 }).map((s): Filter => ({ op: 'lte', field: 'createdAt', value: new Date(DAY + s * 1_000) })),
  fc.constantFrom('s0003', 's0010', 's0020').chain((value) => fc.constantFrom('eq', 'gt', 'lt').map((op): Filter => ({ op, field: 'sessionId', value }))),
  fc.integer({ min: 0, max: 5 }).map((value): Filter => ({ op: 'gte', field: 'metadata.n', value })),
  fc.constant<Filter>({ op: 'isNull', field: 'expiresAt' }),
  fc.constant<Filter>({ op: 'gt', field: 'expiresAt', value: new Date(DAY) }),
);
const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('f'), { maxLength: 3 }).map((filters): Filter => ({ op: 'and', filters })),
    fc.array(tie('f'), { maxLength: 3 }).map((filters): Filter => ({ op: 'or', filters })),
    tie('f').map((filter): Filter => ({ op: 'not', filter })),
  ),
})).f;
const orderArb: fc.Arbitrary<OrderTerm[]> = fc.array(
  fc.record({
    field: fc.constantFrom('title', 'updatedAt', 'createdAt', 'sessionId', 'userId', 'expiresAt'),
    direction: fc.constantFrom('asc' as const, 'desc' as const),
  }),
  { maxLength: 2 },
);

async function seedBoth(engine: Engine, reference: Engine): Promise<void> {
  const sessions = ['u1', 'u2', 'u:3'].flatMap((userId, u) => Array.from({ length: 25 }, (_, i) => record(userId, i + u)));
  await engine.insert('sessions', sessions);
  await reference.insert('sessions', sessions);
  for (const manager of [new SessionManager({ engine, clock: () => DAY }), new SessionManager({ engine: reference, clock: () => DAY })]) {
    for (const session of sessions.slice(0, 30)) {
      await manager.append(session, [
        { id: `${session.sessionId}-a`, role: 'user', content: 'q', metadata: { k: session.sessionId.length % 3 } },
        { id: `${session.sessionId}-b`, role: 'assistant', content: [{ type: 'text', text: 'a' }], metadata: {} },
      ]);
    }
  }
}

describe('queries across all users, differential against MemoryEngine', () => {
  it('finds, orders, pages and counts sessions exactly like MemoryEngine', async ({ expect }) => {
    const engine = await freshEngine();
    const reference = new MemoryEngine();
    await reference.setup();
    await seedBoth(engine, reference);
    const ids = (rows: Session[]) => rows.map((row) => `${row.userId}/${row.sessionId}`);
    await fc.assert(
      fc.asyncProperty(
        filterArb,
        orderArb,
        fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
        fc.integer({ min: 0, max: 30 }),
        async (where, orderBy, limit, offset) => {
          const query = { where, orderBy, ...(limit === undefined ? {} : { limit, offset }) };
          expect(ids(await engine.findMany('sessions', query))).toEqual(ids(await reference.findMany('sessions', query)));
          expect(await engine.count('sessions', { where })).toBe(await reference.count('sessions', { where }));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('finds, counts and updates messages exactly like MemoryEngine', async ({ expect }) => {
    const engine = await freshEngine();
    const reference = new MemoryEngine();
    await reference.setup();
    await seedBoth(engine, reference);
    const messageFilter: fc.Arbitrary<Filter> = fc.oneof(
      fc.constantFrom('user', 'assistant').map((value): Filter => ({ op: 'eq', field: 'role', value })),
      fc.integer({ min: 0, max: 3 }).map((value): Filter => ({ op: 'gt', field: 'seq', value })),
      fc.integer({ min: 0, max: 2 }).map((value): Filter => ({ op: 'eq', field: 'metadata.k', value })),
      fc.constantFrom('u1', 'u:3').map((value): Filter => ({ op: 'eq', field: 'userId', value })),
      fc.constantFrom('s0001', 's0005').map((value): Filter => ({ op: 'eq', field: 'sessionId', value })),
    );
    const combined = fc.array(messageFilter, { minLength: 1, maxLength: 3 }).map((filters): Filter => ({ op: 'and', filters }));
    const key = (m: { userId: string; sessionId: string; seq: number }) => `${m.userId}/${m.sessionId}/${m.seq}`;
    await fc.assert(
      fc.asyncProperty(
        combined,
        fc.constantFrom<OrderTerm[]>([], [{ field: 'seq', direction: 'desc' }], [{ field: 'createdAt', direction: 'asc' }]),
        fc.integer({ min: 1, max: 10 }),
        async (where, orderBy, limit) => {
          expect((await engine.findMany('messages', { where, orderBy, limit })).map(key)).toEqual(
            (await reference.findMany('messages', { where, orderBy, limit })).map(key),
          );
          expect(await engine.count('messages', { where })).toBe(await reference.count('messages', { where }));
        },
      ),
      { numRuns: 60 },
    );
    const where = and(eq('role', 'user'), eq('metadata.k', 1));
    const set = { metadata: { k: 1, reviewed: true } };
    expect(await engine.update('messages', { where, set })).toBe(await reference.update('messages', { where, set }));
    const all = { where: eq('metadata.reviewed', true) };
    expect((await engine.findMany('messages', all)).map(key)).toEqual((await reference.findMany('messages', all)).map(key));
  });

  it('updates and deletes sessions across users exactly like MemoryEngine', async ({ expect }) => {
    const engine = await freshEngine();
    const reference = new MemoryEngine();
    await reference.setup();
    await seedBoth(engine, reference);
    const snapshot = async (target: Engine) =>
      (await target.findMany('sessions', {})).map((s) => [
        s.userId,
        s.sessionId,
        s.title,
        s.status,
        s.version,
        s.updatedAt.getTime(),
        s.expiresAt?.getTime() ?? null,
      ]);
    const update = { where: { op: 'eq', field: 'metadata.tag', value: 'x' } as Filter, set: { title: null, status: 'archived' as const, expiresAt: null } };
    expect(await engine.update('sessions', update)).toBe(await reference.update('sessions', update));
    expect(await snapshot(engine)).toEqual(await snapshot(reference));
    const remove = { where: { op: 'lt', field: 'updatedAt', value: new Date(DAY + 4_000) } as Filter };
    expect(await engine.delete('sessions', remove)).toBe(await reference.delete('sessions', remove));
    expect(await snapshot(engine)).toEqual(await snapshot(reference));
    expect(await engine.count('messages')).toBe(await reference.count('messages'));
  });
});
