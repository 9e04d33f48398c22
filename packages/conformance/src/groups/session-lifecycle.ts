import { describe, it } from 'vitest';
import { eq, SessionExistsError, SessionNotFoundError, ValidationError, type SessionEvent, type MessagesEvent } from '@sessions/core';
import { testMessage } from '@sessions/core/testing';
import { caught, randomId, randomKey, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

/** Fork, export/import, archive, listing with cursors, TTL and events. */
export function sessionLifecycleTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('session lifecycle', () => {
    const ctx = useEngine(init);

    it('forks up to a message into a new session with lineage, leaving the original unchanged', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, title: 'original', metadata: { topic: 'x' }, state: { step: 1 } });
      await manager.append(
        key,
        ['one', 'two', 'three', 'four'].map((content) => ({ role: 'user' as const, content })),
      );
      const before = await manager.export(key);
      const fork = await manager.fork(key, { upToSeq: 2, sessionId: `${key.sessionId}-fork` });
      expect(fork).toMatchObject({
        userId: key.userId,
        sessionId: `${key.sessionId}-fork`,
        parentSessionId: key.sessionId,
        parentSeq: 2,
        messageCount: 2,
        lastSeq: 2,
        title: 'original',
        metadata: { topic: 'x' },
        state: { step: 1 },
      });
      expect((await manager.messages(fork)).map((m) => [m.seq, m.content])).toEqual([
        [1, 'one'],
        [2, 'two'],
      ]);
      await manager.append(fork, { role: 'user', content: 'branch' });
      expect((await manager.messages(fork)).map((m) => m.seq)).toEqual([1, 2, 3]);
      const after = await manager.export(key);
      expect(after, 'fork must leave the original session and its messages unchanged').toEqual(before);
      const whole = await manager.fork(key);
      expect(whole.sessionId).toMatch(/^sess_/);
      expect(whole.messageCount).toBe(4);
      expect(
        await caught(manager.fork(key, { upToSeq: 99 })),
        'SessionManager.fork (createSession) must throw ValidationError (forks up to a message into a new session with lineage, leaving the original unchanged)',
      ).toBeInstanceOf(ValidationError);
      expect(
        await caught(manager.fork(key, { sessionId: fork.sessionId })),
        'SessionManager.fork (createSession) must throw SessionExistsError (forks up to a message into a new session with lineage, leaving the original unchanged)',
      ).toBeInstanceOf(SessionExistsError);
    });

    it('exports and imports a session exactly, through JSON text', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, title: 'exported ✓', metadata: { a: { b: [1, 'two', null, true] } }, state: { s: 1 }, ttlMs: 86_400_000 });
      await manager.append(key, [
        { role: 'user', content: [{ type: 'text', text: 'hi' }], metadata: { k: 'v' } },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', args: { x: 1 } }] },
        { role: 'tool', content: 'result', toolCallId: 'c1', name: 'f' },
      ]);
      await manager.clear(key);
      await manager.append(key, { role: 'user', content: 'after clear' });
      const exported = await manager.export(key);
      expect(exported.format).toBe('sessions.export');
      expect(exported.version).toBe(1);
      const text = JSON.stringify(exported);
      const target = { userId: randomId('imported'), sessionId: key.sessionId };
      const moved = JSON.parse(text) as typeof exported;
      moved.session.userId = target.userId;
      const imported = await manager.import(JSON.stringify(moved));
      expect(imported).toMatchObject({ userId: target.userId, sessionId: key.sessionId, title: 'exported ✓', messageCount: 1, lastSeq: 4 });
      const reexported = await manager.export(target);
      expect({ ...reexported, session: { ...reexported.session, userId: key.userId } }).toEqual(exported);
      const next = await manager.append(target, { role: 'user', content: 'continues' });
      expect(next[0]!.seq).toBe(5);
      expect(
        await caught(manager.import(moved)),
        'SessionManager.import (createSession) must throw SessionExistsError (exports and imports a session exactly, through JSON text)',
      ).toBeInstanceOf(SessionExistsError);
      expect((await manager.import(moved, { onConflict: 'skip' })).messageCount).toBe(2);
      expect(await manager.messages(target)).toHaveLength(2);
    });

    it('rejects a malformed import and writes nothing', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, messages: [{ role: 'user', content: 'x' }] });
      const good = await manager.export(key);
      const target = randomId('target');
      const bad = { ...good, session: { ...good.session, userId: target }, messages: [...good.messages, { ...good.messages[0]!, seq: 2, role: 'robot' }] };
      expect(
        await caught(manager.import(bad)),
        'SessionManager.import (createSession) must throw ValidationError (rejects a malformed import and writes nothing)',
      ).toBeInstanceOf(ValidationError);
      await expect(manager.import({ ...good, version: 99 })).rejects.toThrow(/newer/);
      expect(
        await caught(manager.import('{not json')),
        'SessionManager.import (createSession) must throw ValidationError (rejects a malformed import and writes nothing)',
      ).toBeInstanceOf(ValidationError);
      expect(
        await caught(manager.import({ ...good, format: 'other' })),
        'SessionManager.import (createSession) must throw ValidationError (rejects a malformed import and writes nothing)',
      ).toBeInstanceOf(ValidationError);
      expect(await manager.get({ userId: target, sessionId: key.sessionId })).toBeNull();
    });

    it('archives and unarchives; lists hide archived sessions unless asked', async ({ expect }) => {
      const manager = ctx.manager();
      const userId = randomId('user');
      const a = await manager.create({ userId, title: 'a' });
      const b = await manager.create({ userId, title: 'b' });
      expect((await manager.archive(a)).status).toBe('archived');
      expect((await manager.list({ userId })).sessions.map((s) => s.title)).toEqual(['b']);
      expect((await manager.list({ userId, includeArchived: true })).sessions.map((s) => s.title).sort()).toEqual(['a', 'b']);
      expect((await manager.unarchive(a)).status).toBe('active');
      expect((await manager.list({ userId })).sessions).toHaveLength(2);
      expect(b.status).toBe('active');
    });

    it('archives sessions inactive for longer than a duration', async ({ expect }) => {
      let now = Date.parse('2026-02-01T00:00:00.000Z');
      const manager = ctx.manager({ clock: () => now });
      const userId = randomId('user');
      const old = await manager.create({ userId, title: 'old' });
      now += 10 * 86_400_000;
      const fresh = await manager.create({ userId, title: 'fresh' });
      expect(await manager.archiveInactive({ olderThan: 5 * 86_400_000, userId })).toBe(1);
      expect((await manager.get(old))!.status).toBe('archived');
      expect((await manager.get(fresh))!.status).toBe('active');
    });

    it('lists newest first with a keyset cursor that is stable under concurrent inserts', async ({ expect }) => {
      let now = Date.parse('2026-04-01T00:00:00.000Z');
      const manager = ctx.manager({ clock: () => now });
      const userId = randomId('user');
      const created: string[] = [];
      for (let i = 0; i < 25; i++) {
        now += i % 5 === 0 ? 1_000 : 0; // many ties on updatedAt
        created.push((await manager.create({ userId, sessionId: `s${String(i).padStart(2, '0')}`, metadata: { even: i % 2 === 0 } })).sessionId);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<typeof manager.list>> = await manager.list({ userId, limit: 7, cursor });
        seen.push(...page.sessions.map((s) => s.sessionId));
        cursor = page.nextCursor;
        if (pages === 1) {
          now += 60_000;
          await manager.create({ userId, sessionId: 'inserted-during-paging' });
        }
        pages++;
      } while (cursor);
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
      const expected = [...created].sort((x, y) => {
        const bucket = (id: string) => Math.floor(Number(id.slice(1)) / 5);
        return bucket(y) - bucket(x) || (x < y ? 1 : -1);
      });
      expect(seen).toEqual(expected);
      const evens = await manager.list({ userId, where: eq('metadata.even', true), orderBy: { field: 'sessionId', direction: 'asc' }, limit: 100 });
      expect(evens.sessions.map((s) => s.sessionId)).toEqual(created.filter((_, i) => i % 2 === 0));
      expect(evens.nextCursor).toBeNull();
      expect(
        await caught(manager.list({ userId, cursor: 'garbage!' })),
        'SessionManager.list (findMany) must throw ValidationError (lists newest first with a keyset cursor that is stable under concurrent inserts)',
      ).toBeInstanceOf(ValidationError);
    });

    it('expires sessions by TTL: hidden at once, deleted whole by deleteExpired', async ({ expect }) => {
      let now = Date.parse('2026-06-01T00:00:00.000Z');
      const manager = ctx.manager({ clock: () => now });
      const userId = randomId('user');
      const short = await manager.create({ userId, ttlMs: 1_000, messages: [{ role: 'user', content: 'bye' }] });
      const long = await manager.create({ userId, ttlMs: 3_600_000 });
      const forever = await manager.create({ userId });
      now += 2_000;
      expect(await manager.get(short)).toBeNull();
      expect((await manager.list({ userId })).sessions.map((s) => s.sessionId).sort()).toEqual([long.sessionId, forever.sessionId].sort());
      expect(await manager.deleteExpired()).toBeGreaterThanOrEqual(1);
      expect(await ctx.engine.getSession(short), 'deleteExpired must delete sessions whose expiresAt is at or before now').toBeNull();
      expect(await ctx.engine.readMessages(short), "deleteExpired must delete the expired sessions' messages").toEqual([]);
      expect(await manager.get(long)).not.toBeNull();
      const renewed = await manager.getOrCreate({ userId: short.userId, sessionId: short.sessionId, title: 'new life' });
      expect(renewed).toMatchObject({ title: 'new life', messageCount: 0 });
    });

    it('treats an expired session as gone: no write reaches it, and its key can be created or imported again', async ({ expect }) => {
      let now = Date.parse('2026-06-01T00:00:00.000Z');
      const manager = ctx.manager({ clock: () => now });
      const key = randomKey();
      await manager.create({ ...key, title: 'old', ttlMs: 1_000, state: { n: 1 }, messages: [{ role: 'user', content: 'before expiry' }] });
      const exported = await manager.export(key);
      now += 2_000;
      const stored = await ctx.engine.getSession(key);
      expect(
        await caught(manager.append(key, { role: 'user', content: 'too late' })),
        'SessionManager.append (appendMessages) must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(manager.update(key, { title: 'too late' })),
        'SessionManager.update (updateSession) must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(manager.update(key, { ttlMs: 60_000 })),
        'SessionManager.update (updateSession) must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(manager.setState(key, { n: 2 })),
        'SessionManager.setState (updateSession) must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(manager.clear(key)),
        'SessionManager.clear (clearMessages) must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(manager.truncate(key, { afterSeq: 0 })),
        'SessionManager.truncate (truncateMessages) must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(manager.archive(key)),
        'SessionManager.archive (updateSession) must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      // the engine itself refuses, atomically with the write, when given the time
      const liveAt = new Date(now);
      expect(
        await caught(ctx.engine.appendMessages(key, [testMessage(key, { content: 'late', createdAt: liveAt })], { liveAt })),
        'appendMessages must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(ctx.engine.updateSession(key, { title: 'late', updatedAt: liveAt }, { liveAt })),
        'updateSession must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(ctx.engine.clearMessages(key, { updatedAt: liveAt, liveAt })),
        'clearMessages must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(
        await caught(ctx.engine.truncateMessages(key, { afterSeq: 0, updatedAt: liveAt, liveAt })),
        'truncateMessages must throw SessionNotFoundError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionNotFoundError);
      expect(await ctx.engine.getSession(key), 'a write refused for an expired session must change nothing').toEqual(stored);
      expect((await ctx.engine.readMessages(key)).map((m) => m.content)).toEqual(['before expiry']);
      // its key is free: create replaces the leftover whole, and so does import
      const fresh = await manager.create({ ...key, title: 'new' });
      expect(fresh, 'an expired leftover must be replaced whole when its key is created again').toMatchObject({
        title: 'new',
        messageCount: 0,
        lastSeq: 0,
        expiresAt: null,
      });
      expect(await manager.messages(key)).toEqual([]);
      expect(
        await caught(manager.create(key)),
        'SessionManager.create (createSession) must throw SessionExistsError (treats an expired session as gone: no write reaches it, and its key can be created or imported again)',
      ).toBeInstanceOf(SessionExistsError);
      await manager.update(key, { ttlMs: 1_000 });
      now += 2_000;
      const imported = await manager.import({ ...exported, session: { ...exported.session, expiresAt: null } });
      expect(imported).toMatchObject({ title: 'old', messageCount: 1 });
      expect((await manager.messages(key)).map((m) => m.content)).toEqual(['before expiry']);
    });

    it('reads no messages of an expired session given liveAt', async ({ expect }) => {
      let now = Date.parse('2026-06-01T00:00:00.000Z');
      const manager = ctx.manager({ clock: () => now });
      const key = randomKey();
      const other = randomKey();
      await manager.create({
        ...key,
        ttlMs: 1_000,
        messages: [
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'two' },
        ],
      });
      await manager.create({ ...other, ttlMs: 10_000, messages: [{ role: 'user', content: 'lives on' }] });
      const justBefore = new Date(now + 999);
      expect((await ctx.engine.readMessages(key, { liveAt: justBefore })).map((m) => m.content)).toEqual(['one', 'two']);
      expect((await ctx.engine.readMessages(key, { last: 1, liveAt: justBefore })).map((m) => m.content)).toEqual(['two']);
      now += 1_000;
      const liveAt = new Date(now);
      for (const range of [{}, { last: 1 }, { afterSeq: 1 }, { beforeSeq: 2 }, { limit: 1 }]) {
        expect(await ctx.engine.readMessages(key, { ...range, liveAt }), 'readMessages must read nothing of a session expired at liveAt').toEqual([]);
      }
      expect(await manager.messages(key)).toEqual([]);
      expect(await manager.messages(key, { last: 50 })).toEqual([]);
      // without liveAt the rows are still there until deleteExpired: nothing was removed by reading
      expect(
        (await ctx.engine.readMessages(key)).map((m) => m.content),
        'readMessages must not delete what it hides',
      ).toEqual(['one', 'two']);
      expect((await manager.messages(other)).map((m) => m.content)).toEqual(['lives on']);
    });

    it('emits events for appended messages and session changes', async ({ expect }) => {
      const manager = ctx.manager();
      const sessionEvents: SessionEvent[] = [];
      const messageEvents: MessagesEvent[] = [];
      const offSession = manager.on('session', (event) => sessionEvents.push(event));
      manager.on('messages', (event) => messageEvents.push(event));
      const key = randomKey();
      await manager.create(key);
      await manager.append(key, [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ]);
      await manager.update(key, { title: 't' });
      await manager.clear(key);
      await manager.delete(key);
      expect(sessionEvents.map((e) => e.type)).toEqual(['created', 'updated', 'cleared', 'deleted']);
      expect(sessionEvents.every((e) => e.key.sessionId === key.sessionId)).toBe(true);
      expect(messageEvents).toHaveLength(1);
      expect(messageEvents[0]!.messages.map((m) => m.seq)).toEqual([1, 2]);
      offSession();
      await manager.create(key);
      expect(sessionEvents).toHaveLength(4);
    });
  });
}
