import { describe, it } from 'vitest';
import { SessionManager, SessionNotFoundError, type SessionKey } from '@sessions/core';
import { type NewMessage } from '@sessions/core/engine';
import { KeySpace, type RedisEngine } from '../src/index.js';
import { redisFileScope } from './support/file-scope.js';
import { randomPrefix, testEngine } from './support/redis.js';

const { client, prefixes, engines } = redisFileScope();

/** An engine with a client (a connection) of its own on `prefix`, as another app server has. */
async function engineOn(prefix: string): Promise<RedisEngine> {
  const engine = testEngine(prefix);
  engines.push(engine);
  await engine.setup();
  return engine;
}

function freshPrefix(): string {
  const prefix = randomPrefix('truncate');
  prefixes.push(prefix);
  return prefix;
}

function newMessage(key: SessionKey, id: string, content: string): NewMessage {
  return { ...key, id, role: 'user', content, name: null, toolCalls: null, toolCallId: null, agentId: null, runId: null, metadata: {}, createdAt: new Date() };
}

/** What is stored for a session, read with plain commands. */
async function stored(keys: KeySpace, key: SessionKey) {
  const k = keys.session(key);
  const [hash, seqs, ids] = await Promise.all([client.hgetall(k.session), client.zrange(k.messages, 0, -1, 'WITHSCORES'), client.hgetall(k.messageIds)]);
  return {
    messageCount: Number(hash['message_count']),
    lastSeq: Number(hash['last_seq']),
    seqs: seqs.filter((_, i) => i % 2 === 1).map(Number),
    ids,
  };
}

describe('truncate on Redis', () => {
  it('frees the ids of the messages it deletes, whatever characters they hold', async ({ expect }) => {
    const prefix = freshPrefix();
    const engine = await engineOn(prefix);
    const keys = new KeySpace(prefix);
    const key = { userId: 'u"{1}', sessionId: 's\\:1' };
    await new SessionManager({ engine }).create(key);
    const ids = ['kept', 'quote"inside', 'back\\slash\\', 'ünï😀"\\"', '{"seq":1,"id":"x"}'];
    await engine.appendMessages(
      key,
      ids.map((id, i) => newMessage(key, id, `m${i}`)),
    );
    expect(await engine.truncateMessages(key, { afterSeq: 1, updatedAt: new Date() })).toBe(4);
    expect(await stored(keys, key)).toEqual({ messageCount: 1, lastSeq: 5, seqs: [1], ids: { kept: '1' } });
    const again = await engine.appendMessages(
      key,
      ids.slice(1).map((id) => newMessage(key, id, 'again')),
    );
    expect(again.map((message) => message.seq)).toEqual([6, 7, 8, 9]);
  });

  it('still frees the ids of messages stored in another layout, by sweeping the id hash', async ({ expect }) => {
    const prefix = freshPrefix();
    const engine = await engineOn(prefix);
    const keys = new KeySpace(prefix);
    const key = { userId: 'u', sessionId: 'foreign' };
    await new SessionManager({ engine }).create({ ...key, messages: [{ role: 'user', content: 'a', id: 'first' }] });
    // a member whose id is not right after its seq, as a hand-written or future layout might store it
    const k = keys.session(key);
    await client.zadd(k.messages, 2, JSON.stringify({ seq: 2, role: 'user', id: 'odd', content: 'b' }));
    await client.hset(k.messageIds, 'odd', '2');
    await client.hset(k.session, 'last_seq', '2', 'message_count', '2');
    expect(await engine.truncateMessages(key, { afterSeq: 1, updatedAt: new Date() })).toBe(1);
    expect(await stored(keys, key)).toEqual({ messageCount: 1, lastSeq: 2, seqs: [1], ids: { first: '1' } });
  });

  it('keeps seq gap-free and messageCount equal to what is stored while another connection appends', async ({ expect }) => {
    const prefix = freshPrefix();
    const [writer, truncator] = [await engineOn(prefix), await engineOn(prefix)];
    const keys = new KeySpace(prefix);
    const key = { userId: 'race', sessionId: 'one' };
    await new SessionManager({ engine: writer }).create(key);
    let appended = 0;
    let deleted = 0;
    const appending = (async () => {
      for (let i = 0; i < 200; i++) {
        await writer.appendMessages(key, [newMessage(key, `a${i}`, 'x'), newMessage(key, `b${i}`, 'y')]);
        appended += 2;
      }
    })();
    const truncating = (async () => {
      for (let i = 0; i < 100; i++) {
        const { lastSeq } = (await truncator.getSession(key))!;
        deleted += await truncator.truncateMessages(key, { afterSeq: Math.max(0, lastSeq - 1 - (i % 3)), updatedAt: new Date() });
      }
    })();
    await Promise.all([appending, truncating]);
    const state = await stored(keys, key);
    expect(state.lastSeq).toBe(appended);
    expect(state.messageCount).toBe(appended - deleted);
    expect(state.seqs).toHaveLength(state.messageCount);
    expect(deleted).toBeGreaterThan(0);
    // every id left is one of a stored message, at its seq, and nothing else is left
    expect(
      Object.values(state.ids)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(state.seqs);
    const messages = await writer.readMessages(key);
    expect(messages.map((message) => message.seq)).toEqual(state.seqs);
    expect(Object.fromEntries(messages.map((message) => [message.id, String(message.seq)]))).toEqual(state.ids);
  });

  it("judges expiry by the caller's liveAt, not by the Redis clock", async ({ expect }) => {
    const prefix = freshPrefix();
    const engine = await engineOn(prefix);
    const key = { userId: 'u', sessionId: 'clock' };
    // expired an hour ago by Redis's clock; the grace keeps its keys, and the caller's clock lags
    const expiresAt = new Date(Date.now() - 3_600_000);
    const at = new Date(expiresAt.getTime() - 60_000);
    await engine.createSession({
      ...key,
      title: null,
      metadata: {},
      state: {},
      status: 'active',
      createdAt: at,
      updatedAt: at,
      expiresAt,
      parentSessionId: null,
      parentSeq: null,
      messageCount: 0,
      lastSeq: 0,
      version: 0,
    });
    const before = new Date(expiresAt.getTime() - 1);
    await engine.appendMessages(key, [newMessage(key, 'm1', 'a'), newMessage(key, 'm2', 'b')], { liveAt: before });
    expect(await engine.truncateMessages(key, { afterSeq: 1, updatedAt: before, liveAt: before })).toBe(1);
    await expect(engine.truncateMessages(key, { afterSeq: 0, updatedAt: expiresAt, liveAt: expiresAt })).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(engine.updateSession(key, { title: 'late', updatedAt: expiresAt }, { liveAt: expiresAt, expectedVersion: 0 })).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    expect(await engine.getSession(key)).toMatchObject({ title: null, messageCount: 1, lastSeq: 2, version: 0 });
  });
});
