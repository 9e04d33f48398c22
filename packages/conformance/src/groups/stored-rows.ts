import { describe } from 'vitest';
import { LockExpiredError } from '@sessions/core';
import { testMessage } from '@sessions/core/testing';
import { caught, delay, itNeeds, randomId, randomKey, rawOf, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

/**
 * What the store really holds, read with the initializer's raw reader rather than through the
 * engine under test: an engine cannot pass these by answering from its own memory.
 */
export function storedRowTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('what the store holds (raw reader)', () => {
    const ctx = useEngine(init);
    const needsRaw = (name: string, test: Parameters<typeof itNeeds>[3]) => itNeeds(init, ['raw reader'], name, test);

    needsRaw('createSession stores the session row with every field as given', async ({ expect }) => {
      const manager = ctx.manager();
      const userId = randomId('user');
      const created = await manager.create({ userId, title: 'Trip to Kyōto 🗾', metadata: { plan: { tier: 'pro' }, tags: ['a'] }, state: { step: 2 } });
      const stored = await rawOf(ctx).session(created);
      expect(stored, 'createSession must write the session row to the store').not.toBeNull();
      expect(stored, 'createSession must store title, counts and ids as given').toMatchObject({
        userId,
        sessionId: created.sessionId,
        title: 'Trip to Kyōto 🗾',
        messageCount: 0,
        lastSeq: 0,
      });
      expect(stored!.metadata, 'createSession must store metadata exactly').toEqual({ plan: { tier: 'pro' }, tags: ['a'] });
      expect(stored!.state, 'createSession must store state exactly').toEqual({ step: 2 });
    });

    needsRaw('appendMessages stores every message row and the session counters in the same step', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      const appended = await manager.append(key, [
        { role: 'user', content: [{ type: 'text', text: 'Weather? 🌧' }] },
        { role: 'assistant', content: 'Rain.', id: 'client-id' },
      ]);
      const stored = await rawOf(ctx).messages(key);
      expect(
        stored.map((m) => [m.seq, m.id, m.role]),
        'appendMessages must store each message with its seq, id and role',
      ).toEqual(appended.map((m) => [m.seq, m.id, m.role]));
      expect(stored[0]!.content, 'appendMessages must store content exactly').toEqual([{ type: 'text', text: 'Weather? 🌧' }]);
      expect(await rawOf(ctx).session(key), 'appendMessages must move messageCount and lastSeq in the store').toMatchObject({ messageCount: 2, lastSeq: 2 });
    });

    needsRaw('clearMessages and truncateMessages delete the rows and keep lastSeq', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      await manager.append(
        key,
        ['a', 'b', 'c', 'd'].map((content) => ({ role: 'user' as const, content })),
      );
      await manager.truncate(key, { afterSeq: 2 });
      expect(
        (await rawOf(ctx).messages(key)).map((m) => m.seq),
        'truncateMessages must delete the rows after afterSeq',
      ).toEqual([1, 2]);
      expect(await rawOf(ctx).session(key), 'truncateMessages must store messageCount and keep lastSeq').toMatchObject({ messageCount: 2, lastSeq: 4 });
      await manager.clear(key);
      await manager.append(key, { role: 'user', content: 'e' });
      expect(
        (await rawOf(ctx).messages(key)).map((m) => m.seq),
        'clearMessages must delete every row and never reuse a seq',
      ).toEqual([5]);
      expect(await rawOf(ctx).session(key), 'clearMessages must keep lastSeq in the store').toMatchObject({ messageCount: 1, lastSeq: 5 });
    });

    needsRaw('deleteSession removes the session row and its message rows', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, messages: [{ role: 'user', content: 'hi' }] });
      await manager.delete(key);
      expect(await rawOf(ctx).session(key), 'deleteSession must delete the session row').toBeNull();
      expect(await rawOf(ctx).messages(key), 'deleteSession must delete the message rows').toEqual([]);
    });

    needsRaw('a write refused for an expired lease leaves no row behind', async ({ expect }) => {
      const key = randomKey();
      const engine = ctx.engine;
      await ctx.manager().create(key);
      const grant = await engine.acquireLease(key, { owner: 'a', ttlMs: 400 });
      if (!grant.acquired) throw new Error('acquireLease must grant a free lease');
      await delay(1_000);
      expect(
        await caught(engine.appendMessages(key, [testMessage(key, { content: 'late' })], { lease: grant.lease })),
        'appendMessages must refuse an expired lease',
      ).toBeInstanceOf(LockExpiredError);
      expect(
        await caught(engine.updateSession(key, { state: { late: true }, updatedAt: new Date() }, { lease: grant.lease })),
        'updateSession must refuse an expired lease',
      ).toBeInstanceOf(LockExpiredError);
      expect(await rawOf(ctx).messages(key), 'a refused appendMessages must write no row').toEqual([]);
      expect(await rawOf(ctx).session(key), 'a refused write must leave the session row as it was').toMatchObject({ state: {}, messageCount: 0, lastSeq: 0 });
    });

    needsRaw('an expired session keeps its rows until deleteExpired removes them', async ({ expect }) => {
      let now = Date.parse('2026-06-01T00:00:00.000Z');
      const manager = ctx.manager({ clock: () => now });
      const key = randomKey();
      await manager.create({ ...key, ttlMs: 1_000, messages: [{ role: 'user', content: 'one' }] });
      now += 2_000;
      expect(await manager.messages(key), 'readMessages must read nothing of an expired session given liveAt').toEqual([]);
      expect(await rawOf(ctx).messages(key), 'reading an expired session must not delete its rows').toHaveLength(1);
      await ctx.engine.deleteExpired(new Date(now));
      expect(await rawOf(ctx).session(key), 'deleteExpired must delete the expired session row').toBeNull();
      expect(await rawOf(ctx).messages(key), "deleteExpired must delete the expired session's message rows").toEqual([]);
    });
  });
}
