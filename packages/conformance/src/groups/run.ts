import { describe, it } from 'vitest';
import { LockExpiredError, LockHeldError, SessionNotFoundError } from '@sessions/core';
import { caught, delay, randomKey, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

/** `SessionManager.run`: exclusive turns built on leases, in every outcome. */
export function runTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('run', () => {
    const ctx = useEngine(init, { peer: true });

    it('hands the callback the history and an append bound to the lease, then releases it', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, messages: [{ role: 'user', content: 'My name is Alice' }] });
      const result = await manager.run(key, async ({ history, append, lease, signal, session }) => {
        expect(history.map((m) => m.content)).toEqual(['My name is Alice']);
        expect(session.messageCount).toBe(1);
        expect(lease.token).toBeGreaterThan(0);
        expect(signal.aborted).toBe(false);
        await append({ role: 'assistant', content: 'Hello Alice' });
        return 'done';
      });
      expect(result).toBe('done');
      expect((await manager.messages(key)).map((m) => m.content)).toEqual(['My name is Alice', 'Hello Alice']);
      const next = await ctx.manager({ owner: 'other' }).acquire(key);
      await ctx.manager().release(next);
    });

    it('loads only the last N messages when asked', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create({ ...key, messages: Array.from({ length: 10 }, (_, i) => ({ role: 'user' as const, content: `m${i + 1}` })) });
      const seen = await manager.run(key, ({ history }) => history.map((m) => m.content), { history: { last: 3 } });
      expect(seen).toEqual(['m8', 'm9', 'm10']);
      expect(await manager.run(key, ({ history }) => history.length, { history: false })).toBe(0);
    });

    it('keeps what a throwing callback appended before the failure, and releases the lease', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      const failure = new Error('model crashed');
      expect(
        await caught(
          manager.run(key, async ({ append }) => {
            await append({ role: 'user', content: 'kept' });
            throw failure;
          }),
        ),
        'SessionManager.run must reject with the given reason (keeps what a throwing callback appended before the failure, and releases the lease)',
      ).toBe(failure);
      expect((await manager.messages(key)).map((m) => m.content)).toEqual(['kept']);
      const lease = await ctx.manager({ owner: 'next' }).acquire(key);
      await manager.release(lease);
    });

    it('fails with SessionNotFoundError for a missing session and leaves no lease behind', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      expect(
        await caught(manager.run(key, () => 'never')),
        'SessionManager.run must throw SessionNotFoundError (fails with SessionNotFoundError for a missing session and leaves no lease behind)',
      ).toBeInstanceOf(SessionNotFoundError);
      const lease = await manager.acquire(key);
      await manager.release(lease);
    });

    it('fails fast with LockHeldError while another run holds the session, or waits with waitMs', async ({ expect }) => {
      const manager = ctx.manager();
      const key = randomKey();
      await manager.create(key);
      let release!: () => void;
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const holding = manager.run(key, () => {
        entered();
        return new Promise<void>((resolve) => (release = resolve));
      });
      await inside;
      expect(
        await caught(ctx.manager({ owner: 'b' }).run(key, () => 'x')),
        'SessionManager.run must throw LockHeldError (fails fast with LockHeldError while another run holds the session, or waits with waitMs)',
      ).toBeInstanceOf(LockHeldError);
      const waiting = ctx.manager({ owner: 'c' }).run(key, async ({ append }) => append({ role: 'user', content: 'after' }), { waitMs: 10_000 });
      await delay(100);
      release();
      await holding;
      expect((await waiting).map((m) => m.content)).toEqual(['after']);
    });

    it('aborts the callback with LockExpiredError when the lease is lost, and writes nothing after', async ({ expect }) => {
      const key = randomKey();
      const manager = ctx.manager({ lockTtlMs: 600, heartbeatMs: 200 });
      await manager.create(key);
      let signalReason: unknown;
      const outcome = manager
        .run(key, async ({ append, signal, lease }) => {
          await append({ role: 'user', content: 'before' });
          // The lease ends behind the holder's back (as if it had paused past its TTL) and another worker takes it.
          await ctx.engine.releaseLease(lease);
          const thief = await ctx.engine.acquireLease(key, { owner: 'thief', ttlMs: 30_000 });
          if (!thief.acquired) throw new Error('thief could not take the lease');
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
          signalReason = signal.reason;
          await append({ role: 'user', content: 'after loss' });
        })
        .catch((error: unknown) => error);
      const error = await outcome;
      expect(error).toBeInstanceOf(LockExpiredError);
      expect(signalReason).toBeInstanceOf(LockExpiredError);
      expect((await manager.messages(key)).map((m) => m.content)).toEqual(['before']);
    });

    it('serialises 8 concurrent runs on one session, losing and duplicating nothing', async ({ expect }) => {
      const key = randomKey();
      await ctx.manager().create(key);
      const workers = ctx.contenders(8, (i) => ({ owner: `worker-${i}` }));
      const tokens: number[] = [];
      let inside = 0;
      let overlapped = false;
      await Promise.all(
        workers.map(async (manager, worker) => {
          for (let turn = 0; turn < 5; turn++) {
            await manager.run(
              key,
              async ({ history, append, lease }) => {
                inside += 1;
                if (inside > 1) overlapped = true;
                tokens.push(lease.token);
                const count = history.length;
                await delay(2);
                await append([
                  { role: 'user', content: `w${worker} t${turn} saw ${count}` },
                  { role: 'assistant', content: `reply ${count + 2}` },
                ]);
                inside -= 1;
              },
              { waitMs: 60_000 },
            );
          }
        }),
      );
      expect(overlapped).toBe(false);
      const messages = await ctx.manager().messages(key);
      expect(messages).toHaveLength(80);
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      messages.forEach((message, i) => {
        if (i % 2 === 0) expect(message.content).toMatch(new RegExp(` saw ${i}$`));
        else expect(message.content).toBe(`reply ${i + 1}`);
      });
      expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
      expect(new Set(tokens).size).toBe(40);
    });
  });
}
