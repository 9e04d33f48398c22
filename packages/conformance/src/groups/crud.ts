import { describe, it } from 'vitest';
import { and, asc, desc, eq, SessionExistsError, SessionNotFoundError } from '@sessions/core';
import { caught, randomId, randomKey, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';
import { sessionRecord } from './records.js';

/** Sessions and the generic model operations: create, read, update, delete, count, isolation. */
export function crudTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('sessions and model operations', () => {
    const ctx = useEngine(init);

    it('creates a session and reads back exactly what was stored', async ({ expect }) => {
      const manager = ctx.manager();
      const userId = randomId('user');
      const created = await manager.create({
        userId,
        title: 'Trip to Kyōto 🗾',
        metadata: { channel: 'web', plan: { tier: 'pro', seats: 3 }, tags: ['a', 'b'], beta: true, score: -1.25 },
        state: { step: 2, draft: null },
      });
      expect(created.sessionId).toMatch(/^sess_[0-9A-HJKMNP-TV-Z]{26}$/);
      const read = await manager.get(created);
      expect(read, 'getSession must return exactly what createSession stored').toEqual(created);
      expect(read).toMatchObject({
        userId,
        title: 'Trip to Kyōto 🗾',
        status: 'active',
        messageCount: 0,
        lastSeq: 0,
        parentSessionId: null,
        parentSeq: null,
        expiresAt: null,
      });
      expect(read!.metadata).toEqual({ channel: 'web', plan: { tier: 'pro', seats: 3 }, tags: ['a', 'b'], beta: true, score: -1.25 });
      expect(read!.state).toEqual({ step: 2, draft: null });
      expect(read!.createdAt).toBeInstanceOf(Date);
    });

    it('generates sortable session ids when none is given', async ({ expect }) => {
      const manager = ctx.manager();
      const userId = randomId('user');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await manager.create({ userId })).sessionId);
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(5);
    });

    it('keeps two users with the same session id apart', async ({ expect }) => {
      const manager = ctx.manager();
      const sessionId = 'chat_1';
      const alice = { userId: randomId('alice'), sessionId };
      const bob = { userId: randomId('bob'), sessionId };
      await manager.create({ ...alice, title: 'alice' });
      await manager.create({ ...bob, title: 'bob' });
      await manager.append(alice, { role: 'user', content: 'for alice only' });
      expect((await manager.get(bob))!.title).toBe('bob');
      expect(await manager.messages(bob)).toEqual([]);
      expect((await manager.list({ userId: bob.userId })).sessions.map((s) => s.title)).toEqual(['bob']);
      await manager.clear(bob);
      await manager.delete(bob);
      expect(await manager.messages(alice)).toHaveLength(1);
      expect((await manager.get(alice))!.title).toBe('alice');
    });

    it('refuses to create a session that exists, and keeps the original', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, title: 'first' });
      expect(
        await caught(manager.create({ ...key, title: 'second' })),
        'SessionManager.create (createSession) must throw SessionExistsError (refuses to create a session that exists, and keeps the original)',
      ).toBeInstanceOf(SessionExistsError);
      expect((await manager.get(key))!.title, 'createSession must keep the stored session when it refuses with SessionExistsError').toBe('first');
    });

    it('getOrCreate returns the existing session and creates a missing one, also when racing', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      const results = await Promise.all(Array.from({ length: 8 }, () => manager.getOrCreate({ ...key, title: 'raced' })));
      expect(new Set(results.map((s) => s.createdAt.getTime())).size).toBe(1);
      expect(
        await ctx.engine.count('sessions', { where: and(eq('userId', key.userId), eq('sessionId', key.sessionId)) }),
        'createSession must let exactly one of racing creators win (SessionExistsError for the others)',
      ).toBe(1);
    });

    it('returns null for a missing session and SessionNotFoundError where one is required', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      expect(await manager.get(key)).toBeNull();
      expect(await ctx.engine.getSession(key)).toBeNull();
      expect(
        await caught(manager.append(key, { role: 'user', content: 'x' })),
        'SessionManager.append (appendMessages) must throw SessionNotFoundError (returns null for a missing session and SessionNotFoundError where one is required)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(manager.update(key, { title: 'x' })),
        'SessionManager.update (updateSession) must throw SessionNotFoundError (returns null for a missing session and SessionNotFoundError where one is required)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(manager.getState(key)),
        'SessionManager.getState (getSession) must throw SessionNotFoundError (returns null for a missing session and SessionNotFoundError where one is required)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(manager.fork(key)),
        'SessionManager.fork (createSession) must throw SessionNotFoundError (returns null for a missing session and SessionNotFoundError where one is required)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(await manager.delete(key)).toBe(false);
      expect(await manager.messages(key)).toEqual([]);
    });

    it('updates title, metadata and TTL, bumping version and updatedAt', async ({ expect }) => {
      let now = Date.parse('2026-03-01T00:00:00.000Z');
      const manager = ctx.manager({ clock: () => now });
      const created = await manager.create({ ...randomKey(), title: 'old', metadata: { a: 1 } });
      now += 5_000;
      const updated = await manager.update(created, { title: 'new', metadata: { b: 'two' }, ttlMs: 60_000 });
      expect(updated.title).toBe('new');
      expect(updated.metadata).toEqual({ b: 'two' });
      expect(updated.expiresAt!.getTime()).toBe(now + 60_000);
      expect(updated.updatedAt.getTime(), 'updateSession must set updatedAt to changes.updatedAt').toBe(now);
      expect(updated.version, 'updateSession must bump version by one').toBe(created.version + 1);
      const cleared = await manager.update(created, { title: null, ttlMs: null });
      expect(cleared.title).toBeNull();
      expect(cleared.expiresAt).toBeNull();
      expect(await manager.get(created)).toEqual(cleared);
    });

    it('merges state patches and never loses a concurrent patch', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, state: { keep: true, nested: { a: 1, b: 2 } } });
      expect(await manager.setState(key, { nested: { b: null, c: 3 }, added: 'x' })).toEqual({ keep: true, nested: { a: 1, c: 3 }, added: 'x' });
      await Promise.all(Array.from({ length: 10 }, (_, i) => manager.setState(key, { [`k${i}`]: i })));
      const state = await manager.getState(key);
      for (let i = 0; i < 10; i++) expect(state[`k${i}`]).toBe(i);
      expect(await manager.setState(key, { only: 1 }, { replace: true })).toEqual({ only: 1 });
      expect(await manager.getState(key)).toEqual({ only: 1 });
    });

    it('finds, orders, counts, pages, updates and deletes with the generic operations', async ({ expect }) => {
      const engine = ctx.engine;
      const userId = randomId('user');
      const records = Array.from({ length: 7 }, (_, i) =>
        sessionRecord({ userId, sessionId: `s${i}` }, { title: `t${i % 3}`, metadata: { n: i }, updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) }),
      );
      expect(await engine.insert('sessions', records)).toBe(7);
      const mine = eq('userId', userId);
      expect(await engine.count('sessions', { where: mine })).toBe(7);
      const page = await engine.findMany('sessions', { where: mine, orderBy: [desc('updatedAt')], limit: 3, offset: 1 });
      expect(
        page.map((s) => s.sessionId),
        'findMany must order by orderBy, then skip offset and take limit',
      ).toEqual(['s5', 's4', 's3']);
      const byTitle = await engine.findMany('sessions', { where: mine, orderBy: [asc('title'), desc('sessionId')] });
      expect(
        byTitle.map((s) => s.sessionId),
        'findMany must order by every term in turn',
      ).toEqual(['s6', 's3', 's0', 's4', 's1', 's5', 's2']);
      expect((await engine.findOne('sessions', { where: and(mine, eq('metadata.n', 4)) }))!.sessionId).toBe('s4');
      expect(await engine.findOne('sessions', { where: and(mine, eq('metadata.n', 99)) })).toBeNull();
      const before = (await engine.getSession({ userId, sessionId: 's1' }))!.version;
      expect(
        await engine.update('sessions', { where: and(mine, eq('title', 't1')), set: { status: 'archived' } }),
        'update must return how many it matched',
      ).toBe(2);
      expect((await engine.getSession({ userId, sessionId: 's1' }))!.version, 'update must bump the version of each matched session').toBe(before + 1);
      expect(await engine.count('sessions', { where: and(mine, eq('status', 'archived')) })).toBe(2);
      expect(await engine.delete('sessions', { where: and(mine, eq('status', 'archived')) }), 'delete must return how many sessions it deleted').toBe(2);
      expect(await engine.count('sessions', { where: mine })).toBe(5);
      expect(await engine.findMany('sessions', { where: mine, limit: 0 })).toEqual([]);
    });

    it('deleting a session deletes its messages', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, messages: [{ role: 'user', content: 'hi' }] });
      expect(await manager.delete(key)).toBe(true);
      expect(await manager.messages(key)).toEqual([]);
      expect(
        await ctx.engine.count('messages', { where: and(eq('userId', key.userId), eq('sessionId', key.sessionId)) }),
        "deleteSession must delete the session's messages",
      ).toBe(0);
      await manager.create(key);
      expect((await manager.get(key))!.messageCount).toBe(0);
    });

    it('hands out copies: mutating a returned object changes nothing stored', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, metadata: { tags: ['x'] }, state: { n: 1 } });
      await manager.append(key, { role: 'user', content: [{ type: 'text', text: 'hi' }], metadata: { m: 1 } });
      const session = (await manager.get(key))!;
      (session.metadata['tags'] as string[]).push('mutated');
      session.state['n'] = 2;
      session.title = 'mutated';
      session.createdAt.setTime(0);
      const listed = (await manager.list({ userId: key.userId })).sessions[0]!;
      (listed.metadata['tags'] as string[]).push('mutated');
      const [message] = await manager.messages(key);
      (message!.content as { text: string }[])[0]!.text = 'mutated';
      message!.metadata['m'] = 2;
      const again = (await manager.get(key))!;
      expect(again.metadata, "getSession and findMany must hand out copies: a caller's mutation must not reach the store").toEqual({ tags: ['x'] });
      expect(again.state, "getSession must hand out copies: a caller's mutation must not reach the store").toEqual({ n: 1 });
      expect(again.title).toBeNull();
      expect(again.createdAt.getTime()).not.toBe(0);
      const [messageAgain] = await manager.messages(key);
      expect(messageAgain!.content, "readMessages must hand out copies: a caller's mutation must not reach the store").toEqual([{ type: 'text', text: 'hi' }]);
      expect(messageAgain!.metadata).toEqual({ m: 1 });
    });

    it('copies what it is given: mutating an input after the call changes nothing stored', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      const metadata = { tags: ['x'] };
      await manager.create({ ...key, metadata });
      metadata.tags.push('mutated');
      const content = [{ type: 'text', text: 'hi' }];
      await manager.append(key, { role: 'user', content });
      content[0]!.text = 'mutated';
      expect((await manager.get(key))!.metadata, 'createSession must copy what it is given').toEqual({ tags: ['x'] });
      expect((await manager.messages(key))[0]!.content, 'appendMessages must copy what it is given').toEqual([{ type: 'text', text: 'hi' }]);
    });
  });
}
