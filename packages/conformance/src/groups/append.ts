import { describe, it } from 'vitest';
import { MessageExistsError, SessionNotFoundError, ValidationError, type Message } from '@sessions/core';
import { caught, randomKey, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

/** Appending and reading messages: order, gap-free seq under concurrency, ranges, clear. */
export function appendTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('messages', () => {
    const ctx = useEngine(init, { peer: true });

    it('assigns seq 1, 2, 3 ... in order and stores every field exactly', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      const appended = await manager.append(key, [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris? 🌧' },
            { type: 'image', url: 'https://example.invalid/x.png' },
          ],
          metadata: { lang: 'en' },
        },
        {
          role: 'assistant',
          content: '',
          id: 'client-chosen-id',
          toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
          agentId: 'agent-1',
          runId: 'run-1',
        },
        { role: 'tool', content: '{"temp":12}', toolCallId: 'call_1', name: 'weather' },
      ]);
      expect(
        appended.map((m) => m.seq),
        'appendMessages must assign seq lastSeq+1, lastSeq+2, … in batch order',
      ).toEqual([1, 2, 3, 4]);
      expect(appended[2]!.id).toBe('client-chosen-id');
      const read = await manager.messages(key);
      expect(read, 'readMessages must return every field exactly as appendMessages stored it').toEqual(appended);
      expect(read[1]!.content).toEqual([
        { type: 'text', text: 'Weather in Paris? 🌧' },
        { type: 'image', url: 'https://example.invalid/x.png' },
      ]);
      expect(read[2]!.toolCalls).toEqual([{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }]);
      expect(read[3]).toMatchObject({ role: 'tool', toolCallId: 'call_1', name: 'weather', agentId: null, runId: null, metadata: {} });
      const session = (await manager.get(key))!;
      expect(session.messageCount).toBe(4);
      expect(session.lastSeq).toBe(4);
    });

    it('moves updatedAt forward on append', async ({ expect }) => {
      let now = Date.parse('2026-05-01T00:00:00.000Z');
      const manager = ctx.manager({ clock: () => now });
      const key = randomKey();
      await manager.create(key);
      now += 60_000;
      await manager.append(key, { role: 'user', content: 'later' });
      expect((await manager.get(key))!.updatedAt.getTime(), "appendMessages must advance updatedAt to the last message's createdAt").toBe(now);
    });

    it('keeps seq gap-free and loses nothing under 16 concurrent appenders', async ({ expect }) => {
      const key = randomKey();
      await ctx.manager().create(key);
      const writers = ctx.contenders(16);
      await Promise.all(
        writers.map(async (manager, writer) => {
          for (let i = 0; i < 8; i++) {
            await manager.append(key, [
              { role: 'user', content: `w${writer}-${i}-a` },
              { role: 'assistant', content: `w${writer}-${i}-b` },
            ]);
          }
        }),
      );
      const messages = await ctx.manager().messages(key);
      expect(
        messages.map((m) => m.seq),
        'appendMessages must keep seq gap-free under concurrent appenders',
      ).toEqual(Array.from({ length: 256 }, (_, i) => i + 1));
      expect(new Set(messages.map((m) => m.content)).size, 'appendMessages must lose no message under concurrent appenders').toBe(256);
      for (let i = 0; i < messages.length; i += 2) {
        // a batch is atomic: its two messages are adjacent
        expect(String(messages[i + 1]!.content), 'appendMessages must write a batch whole: its messages stay adjacent').toBe(
          String(messages[i]!.content).replace(/-a$/, '-b'),
        );
      }
      for (let writer = 0; writer < 16; writer++) {
        const own = messages.filter((m) => String(m.content).startsWith(`w${writer}-`)).map((m) => m.content);
        expect(own).toEqual(Array.from({ length: 8 }, (_, i) => [`w${writer}-${i}-a`, `w${writer}-${i}-b`]).flat());
      }
      expect(await ctx.manager().get(key), 'appendMessages must keep messageCount and lastSeq in step with the messages').toMatchObject({
        messageCount: 256,
        lastSeq: 256,
      });
    });

    it('reads the last N, a seq range, and the oldest N of a range', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      await manager.append(
        key,
        Array.from({ length: 30 }, (_, i) => ({ role: 'user' as const, content: `m${i + 1}` })),
      );
      const seqs = (messages: Message[]) => messages.map((m) => m.seq);
      expect(seqs(await manager.messages(key, { last: 5 }))).toEqual([26, 27, 28, 29, 30]);
      expect(seqs(await manager.messages(key, { last: 100 }))).toHaveLength(30);
      expect(seqs(await manager.messages(key, { afterSeq: 27 }))).toEqual([28, 29, 30]);
      expect(seqs(await manager.messages(key, { beforeSeq: 4 }))).toEqual([1, 2, 3]);
      expect(seqs(await manager.messages(key, { afterSeq: 10, beforeSeq: 20, limit: 3 }))).toEqual([11, 12, 13]);
      expect(seqs(await manager.messages(key, { afterSeq: 10, beforeSeq: 20, last: 3 }))).toEqual([17, 18, 19]);
      expect(seqs(await manager.messages(key, { afterSeq: 30 }))).toEqual([]);
      expect(seqs(await manager.messages(key, { last: 0 }))).toEqual([]);
      expect(
        await caught(manager.messages(key, { last: 2, limit: 2 })),
        'SessionManager.messages (readMessages) must throw ValidationError (reads the last N, a seq range, and the oldest N of a range)',
      ).toBeInstanceOf(ValidationError);
      expect(
        await caught(manager.messages(key, { last: -1 })),
        'SessionManager.messages (readMessages) must throw ValidationError (reads the last N, a seq range, and the oldest N of a range)',
      ).toBeInstanceOf(ValidationError);
    });

    it('rejects a duplicate message id and writes nothing of that batch', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      await manager.append(key, { role: 'user', content: 'first', id: 'dup' });
      expect(
        await caught(
          manager.append(key, [
            { role: 'user', content: 'ok' },
            { role: 'user', content: 'again', id: 'dup' },
          ]),
        ),
        'SessionManager.append (appendMessages) must throw MessageExistsError (rejects a duplicate message id and writes nothing of that batch)',
      ).toBeInstanceOf(MessageExistsError);
      expect(
        await caught(
          manager.append(key, [
            { role: 'user', content: 'a', id: 'x' },
            { role: 'user', content: 'b', id: 'x' },
          ]),
        ),
        'SessionManager.append (appendMessages) must throw MessageExistsError (rejects a duplicate message id and writes nothing of that batch)',
      ).toBeInstanceOf(MessageExistsError);
      expect(
        (await manager.messages(key)).map((m) => m.content),
        'appendMessages must write nothing of a batch with a duplicate id',
      ).toEqual(['first']);
      expect(await manager.get(key), 'appendMessages must leave lastSeq and messageCount alone when it refuses a batch').toMatchObject({
        messageCount: 1,
        lastSeq: 1,
      });
      const next = await manager.append(key, { role: 'user', content: 'next' });
      expect(next[0]!.seq).toBe(2);
    });

    it('allows the same message id in two different sessions', async ({ expect }) => {
      const manager = ctx.manager();
      const a = randomKey();
      const b = { userId: a.userId, sessionId: `${a.sessionId}-b` };
      await manager.create(a);
      await manager.create(b);
      await manager.append(a, { role: 'user', content: 'a', id: 'same' });
      await manager.append(b, { role: 'user', content: 'b', id: 'same' });
      expect((await manager.messages(b))[0]!.content).toBe('b');
    });

    it('clear removes messages, keeps the session and never reuses seq values', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      await manager.append(key, [
        { role: 'user', content: 'a', id: 'm1' },
        { role: 'assistant', content: 'b' },
      ]);
      expect(await manager.clear(key)).toBe(2);
      expect(await manager.messages(key)).toEqual([]);
      expect(await manager.get(key)).toMatchObject({ messageCount: 0, lastSeq: 2 });
      const after = await manager.append(key, { role: 'user', content: 'c', id: 'm1' });
      expect(after[0]!.seq, 'clearMessages must keep lastSeq: seq values are never reused').toBe(3);
      expect((await manager.messages(key)).map((m) => m.seq)).toEqual([3]);
      expect(await manager.get(key)).toMatchObject({ messageCount: 1, lastSeq: 3 });
    });

    it('truncate deletes the messages after a seq in one step, keeps the rest and never reuses seq values', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      await manager.append(
        key,
        ['a', 'b', 'c', 'd', 'e'].map((content, i) => ({ role: 'user' as const, content, id: `m${i + 1}` })),
      );
      expect(await manager.truncate(key, { afterSeq: 2 })).toBe(3);
      expect((await manager.messages(key)).map((m) => [m.seq, m.content])).toEqual([
        [1, 'a'],
        [2, 'b'],
      ]);
      expect(await manager.get(key)).toMatchObject({ messageCount: 2, lastSeq: 5 });
      // the ids of deleted messages are free again; their seq values are not
      const after = await manager.append(key, { role: 'user', content: 'c again', id: 'm3' });
      expect(after[0]!.seq, 'truncateMessages must keep lastSeq: seq values are never reused').toBe(6);
      expect((await manager.messages(key)).map((m) => m.seq)).toEqual([1, 2, 6]);
      expect(await manager.truncate(key, { afterSeq: 6 })).toBe(0);
      expect(await manager.truncate(key, { afterSeq: 100 })).toBe(0);
      expect(await manager.get(key)).toMatchObject({ messageCount: 3, lastSeq: 6 });
      expect(await manager.truncate(key, { afterSeq: 0 })).toBe(3);
      expect(await manager.messages(key)).toEqual([]);
      expect(await manager.get(key)).toMatchObject({ messageCount: 0, lastSeq: 6 });
    });

    it('truncate refuses a missing session and a bad seq, deleting nothing', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      expect(
        await caught(manager.truncate(key, { afterSeq: 0 })),
        'SessionManager.truncate (truncateMessages) must throw SessionNotFoundError (truncate refuses a missing session and a bad seq, deleting nothing)',
      ).toBeInstanceOf(SessionNotFoundError);
      await manager.create({ ...key, messages: [{ role: 'user', content: 'keep' }] });
      for (const afterSeq of [-1, 1.5, Number.NaN, '1' as unknown as number]) {
        expect(
          await caught(manager.truncate(key, { afterSeq })),
          'SessionManager.truncate (truncateMessages) must throw ValidationError (truncate refuses a missing session and a bad seq, deleting nothing)',
        ).toBeInstanceOf(ValidationError);
        expect(
          await caught(ctx.engine.truncateMessages(key, { afterSeq, updatedAt: new Date() })),
          'truncateMessages must throw ValidationError (truncate refuses a missing session and a bad seq, deleting nothing)',
        ).toBeInstanceOf(ValidationError);
      }
      expect((await manager.messages(key)).map((m) => m.content)).toEqual(['keep']);
    });

    it("truncate never touches another session of the same user or another user's session of the same id", async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      const sibling = { userId: key.userId, sessionId: `${key.sessionId}_2` };
      const otherUser = { userId: `${key.userId}_2`, sessionId: key.sessionId };
      for (const target of [key, sibling, otherUser])
        await manager.create({
          ...target,
          messages: [
            { role: 'user', content: '1' },
            { role: 'user', content: '2' },
          ],
        });
      expect(await manager.truncate(key, { afterSeq: 0 })).toBe(2);
      expect(await manager.messages(sibling)).toHaveLength(2);
      expect(await manager.messages(otherUser)).toHaveLength(2);
    });

    it('creates a session together with its first messages', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      const session = await manager.create({
        ...key,
        messages: [
          { role: 'system', content: 'rules' },
          { role: 'user', content: 'hi' },
        ],
      });
      expect(session).toMatchObject({ messageCount: 2, lastSeq: 2 });
      expect((await manager.messages(key)).map((m) => [m.seq, m.content])).toEqual([
        [1, 'rules'],
        [2, 'hi'],
      ]);
    });

    it('appends to a long history without reading it back', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      for (let i = 0; i < 10; i++) {
        await manager.append(
          key,
          Array.from({ length: 100 }, (_, j) => ({ role: 'user' as const, content: `${i}-${j}` })),
        );
      }
      const last = await manager.append(key, { role: 'user', content: 'end' });
      expect(last[0]!.seq).toBe(1001);
      expect((await manager.messages(key, { last: 2 })).map((m) => m.content)).toEqual(['9-99', 'end']);
    });
  });
}
