import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, ilike, inArray, like, SessionManager, ValidationError, type JsonObject } from '@sessions/core';
import { MysqlEngine } from '../src/index.js';
import { randomName, rawReader, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('hostile');

const SQL = `'); DROP TABLE sessions; -- " \` \\' \\\\ %_ ' OR '1'='1`;
const EMOJI = '😀🧑‍🚀🏳️‍🌈𝕏';
const hostileIds = [
  SQL.slice(0, 200),
  `Robert'); DROP TABLE \`messages\`;--`,
  '"quoted" `ticked` \\back\\slash\\',
  '%_%_ LIKE wildcards',
  '😀'.repeat(255),
  'x'.repeat(255),
  'trailing space ',
  ' leading space',
  '$.path."key"[0]',
  'ünïcødé 日本語 עברית العربية',
];

describe('hostile input', () => {
  let engine: MysqlEngine;
  let sessions: SessionManager;
  const userId = randomName('user');

  beforeAll(async () => {
    engine = new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('h')}_` });
    await engine.setup();
    sessions = new SessionManager({ engine });
  });
  afterAll(() => engine.close());

  it('round-trips SQL-looking, quoted, 4-byte and maximum-length ids exactly, each its own session', async () => {
    for (const id of hostileIds) {
      await sessions.create({ userId: id, sessionId: id, title: id });
      await sessions.append({ userId: id, sessionId: id }, { role: 'user', content: id, id, name: id, agentId: id, runId: id, toolCallId: id });
    }
    for (const id of hostileIds) {
      const key = { userId: id, sessionId: id };
      expect(await sessions.get(key)).toMatchObject({ userId: id, sessionId: id, title: id, messageCount: 1 });
      expect(await sessions.messages(key)).toMatchObject([{ id, content: id, name: id, agentId: id, runId: id, toolCallId: id }]);
      expect((await rawReader(database.pool, engine.tables).session(key))?.title).toBe(id);
    }
    // 'trailing space ' and its trimmed twin are different ids (NO PAD collation).
    expect(await sessions.get({ userId: 'trailing space', sessionId: 'trailing space' })).toBeNull();
    const [tables] = await database.pool.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?, ?)',
      [engine.tables.names.sessions, engine.tables.names.messages, engine.tables.names.leases],
    );
    expect(tables[0]!['n']).toBe(3);
  });

  it('round-trips hostile metadata keys and values, long strings and escapes exactly', async () => {
    const longValue = `${EMOJI}${SQL}`.repeat(2_000);
    const metadata: JsonObject = {
      [SQL]: SQL,
      "it's": 'single',
      'a"b': 'double',
      'a.b': 'dotted key',
      $: 'dollar',
      '*': 'star',
      '\\': 'backslash key',
      [EMOJI]: EMOJI,
      ['k'.repeat(10_000)]: 'very long key',
      long: longValue,
      controls: '\u0001\u0007\b\f\n\r\t\u001f\u007f\u2028\u2029',
      numbers: [0, -0.5, 1e21, 5e-324, 1.7976931348623157e308, 1.2345678901234567e19, 0.1 + 0.2],
      nested: { deeper: { deepest: [null, true, false, '', {}] } },
      empty: '',
    };
    const key = { userId, sessionId: randomName('meta') };
    const created = await sessions.create({ ...key, title: `${EMOJI}${SQL}`.slice(0, 1_000), metadata, state: metadata });
    const read = (await sessions.get(key))!;
    expect(read).toEqual(created);
    expect(read.metadata).toEqual(metadata);
    expect(Object.keys(read.metadata)).toHaveLength(Object.keys(metadata).length);
    expect((await rawReader(database.pool, engine.tables).session(key))!.metadata).toEqual(metadata);
    const [appended] = await sessions.append(key, { role: 'tool', content: [{ type: 'text', text: longValue }, metadata], toolCalls: [metadata], metadata });
    expect((await sessions.messages(key))[0]).toEqual(appended);
  });

  it('finds hostile values with filters, which bind them as parameters', async () => {
    const key = { userId, sessionId: randomName('find') };
    await sessions.create({ ...key, title: SQL, metadata: { channel: SQL, emoji: EMOJI } });
    const mine = eq('sessionId', key.sessionId);
    const found = (filter: Parameters<typeof and>[0]) => engine.findMany('sessions', { where: and(eq('userId', userId), mine, filter) });
    expect(await found(eq('title', SQL))).toHaveLength(1);
    expect(await found(eq('metadata.channel', SQL))).toHaveLength(1);
    expect(await found(eq('metadata.emoji', EMOJI))).toHaveLength(1);
    expect(await found(like('title', `%DROP TABLE sessions%`))).toHaveLength(1);
    expect(await found(ilike('metadata.channel', `%drop table%`))).toHaveLength(1);
    expect(await found(inArray('title', [SQL, `${SQL} `]))).toHaveLength(1);
    expect(await found(eq('title', `${SQL} `))).toHaveLength(0);
  });

  it('rejects what cannot be stored with a ValidationError, writing nothing', async () => {
    const key = { userId, sessionId: randomName('bad') };
    await sessions.create(key);
    await expect(sessions.create({ userId: 'nul\u0000byte' })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.create({ userId, sessionId: 'x'.repeat(256) })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.create({ userId, sessionId: '😀'.repeat(256) })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.update(key, { title: 'x'.repeat(1_001) })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.update(key, { metadata: { v: 'nul\u0000' } })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      sessions.append(key, [
        { role: 'user', content: 'fine' },
        { role: 'user', content: 'nul\u0000' },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.append(key, { role: 'user', content: '\ud800 lone surrogate' })).rejects.toBeInstanceOf(ValidationError);
    await expect(engine.findMany('sessions', { where: eq(`metadata.${SQL}`, 1) })).rejects.toBeInstanceOf(ValidationError);
    await expect(engine.findMany('sessions', { where: eq('metadata.a"]', 1) })).rejects.toBeInstanceOf(ValidationError);
    expect(await sessions.get(key)).toMatchObject({ title: null, metadata: {}, messageCount: 0, version: 0 });
  });
});
