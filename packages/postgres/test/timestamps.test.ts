import { afterAll, beforeAll, describe, it } from 'vitest';
import { gt, lte, SessionManager, ValidationError, type Session } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { toPgTimestamp } from '../src/sql/timestamps.js';
import { dropSchema, POSTGRES_URL, randomSchema, requirePostgres } from './support/database.js';

const schema = randomSchema('timestamps');
const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });

beforeAll(async () => {
  await requirePostgres();
  await engine.setup();
});
afterAll(async () => {
  await engine.close();
  await dropSchema(schema);
});

function session(sessionId: string, at: Date): Session {
  return {
    userId: 'time',
    sessionId,
    title: null,
    metadata: {},
    state: {},
    status: 'active',
    createdAt: at,
    updatedAt: at,
    expiresAt: at,
    parentSessionId: null,
    parentSeq: null,
    messageCount: 0,
    lastSeq: 0,
    version: 0,
  };
}

describe('timestamps', () => {
  it.for([
    ['an ordinary instant with milliseconds', new Date('2024-02-29T23:59:59.999Z')],
    ['the epoch', new Date(0)],
    ['a negative epoch', new Date(-1)],
    ['year 1', new Date('0001-01-01T00:00:00.001Z')],
    ['the end of year 9999', new Date('9999-12-31T23:59:59.999Z')],
  ] as const)('stores %s to the millisecond', async ([, at], { expect }) => {
    const stored = session(`t${at.getTime()}`, at);
    await engine.createSession(stored);
    const read = await engine.getSession(stored);
    expect(read?.createdAt.getTime()).toBe(at.getTime());
    expect(read?.expiresAt?.getTime()).toBe(at.getTime());
    const around = await engine.findMany('sessions', { where: { op: 'and', filters: [gt('createdAt', new Date(at.getTime() - 1)), lte('createdAt', at)] } });
    expect(around.map((found) => found.sessionId)).toContain(stored.sessionId);
  });

  it('writes years outside 1-9999 the way PostgreSQL reads them', ({ expect }) => {
    expect(toPgTimestamp(new Date('+010000-06-01T00:00:00.007Z'))).toBe('10000-06-01T00:00:00.007Z');
    expect(toPgTimestamp(new Date('0000-03-01T00:00:00.000Z'))).toBe('0001-03-01T00:00:00.000Z BC');
    expect(toPgTimestamp(new Date('-000001-03-01T00:00:00.000Z'))).toBe('0002-03-01T00:00:00.000Z BC');
  });

  it.for([
    ['1 BC (year 0)', new Date('0000-07-01T12:30:15.250Z')],
    ['4713 BC', new Date('-004712-01-01T00:00:00.000Z')],
    ['before 4713 BC', new Date(-8.64e15)],
    ['year 10000', new Date('+010000-06-01T00:00:00.007Z')],
    ['the latest Date', new Date(8.64e15)],
  ] as const)('rejects storing or comparing with an instant in %s with a ValidationError, as core defines', async ([, at], { expect }) => {
    const sessionId = `out-of-range-${at.getTime()}`;
    await expect(engine.createSession(session(sessionId, at))).rejects.toBeInstanceOf(ValidationError);
    expect(await new SessionManager({ engine }).get({ userId: 'time', sessionId })).toBeNull();
    await expect(engine.count('sessions', { where: gt('createdAt', at) })).rejects.toBeInstanceOf(ValidationError);
    await expect(engine.deleteExpired(at)).rejects.toBeInstanceOf(ValidationError);
  });
});
