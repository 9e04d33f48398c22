import { afterAll, describe } from 'vitest';
import { LockExpiredError, LockHeldError, SessionManager, type Engine, type HeldLease } from '@sessions/core';
import { testMessage } from '@sessions/core/testing';
import { capabilitiesOf, caught, itNeeds, openInChild, randomKey, useEngine } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';
import { requireOpener } from './persistence.js';

/**
 * A cross-process engine stays correct when two OS processes share the store: leases exclude,
 * fencing holds and seq stays gap-free between the suite's process and a child process it
 * starts. An in-process lock cannot pass.
 */
export function crossProcessTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('across processes (checked with a second process)', () => {
    const ctx = useEngine(init);
    let child: Promise<Engine> | undefined;
    afterAll(async () => {
      await (await child?.catch(() => undefined))?.close();
    });
    /** The child process on the group's store, started by the first test that runs. */
    const other = (): Promise<Engine> => {
      requireOpener(init, 'crossProcess');
      child ??= openInChild(init, ctx.engine, 'contender');
      return child;
    };
    const capabilities = () => capabilitiesOf(init, ctx.engine);

    itNeeds(
      init,
      ['crossProcess'],
      'grants a lease to exactly one acquirer when two processes contend',
      async ({ expect }) => {
        const engines = [ctx.engine, await other()];
        for (let round = 0; round < 5; round++) {
          const key = randomKey();
          await ctx.manager().create(key);
          const managers = Array.from({ length: 8 }, (_, i) => new SessionManager({ engine: engines[i % 2]!, owner: `owner-${i}` }));
          const results = await Promise.allSettled(managers.map((manager) => manager.acquire(key, { ttlMs: 30_000 })));
          const granted = results.filter((r): r is PromiseFulfilledResult<HeldLease> => r.status === 'fulfilled');
          expect(granted, 'acquireLease must grant a lease to exactly one acquirer across processes (an in-process lock is not enough)').toHaveLength(1);
          for (const result of results) {
            if (result.status === 'rejected') expect(result.reason, 'acquireLease must refuse the others with LockHeldError').toBeInstanceOf(LockHeldError);
          }
          await managers[0]!.release(granted[0]!.value);
        }
      },
      capabilities,
    );

    itNeeds(
      init,
      ['crossProcess'],
      'keeps seq gap-free and batches whole with appenders in two processes',
      async ({ expect }) => {
        const engines = [ctx.engine, await other()];
        const key = randomKey();
        await ctx.manager().create(key);
        await Promise.all(
          Array.from({ length: 8 }, async (_, writer) => {
            const manager = new SessionManager({ engine: engines[writer % 2]! });
            for (let i = 0; i < 6; i++) {
              await manager.append(key, [
                { role: 'user', content: `w${writer}-${i}-a` },
                { role: 'assistant', content: `w${writer}-${i}-b` },
              ]);
            }
          }),
        );
        const messages = await engines[1]!.readMessages(key);
        expect(
          messages.map((m) => m.seq),
          'appendMessages must assign seq lastSeq+1… atomically across processes: no gap, no reuse',
        ).toEqual(Array.from({ length: 96 }, (_, i) => i + 1));
        for (let i = 0; i < messages.length; i += 2) {
          expect(String(messages[i + 1]!.content), 'appendMessages must write a batch whole: its messages stay adjacent').toBe(
            String(messages[i]!.content).replace(/-a$/, '-b'),
          );
        }
        expect(await ctx.engine.getSession(key), 'appendMessages must keep messageCount and lastSeq right across processes').toMatchObject({
          messageCount: 96,
          lastSeq: 96,
        });
      },
      capabilities,
    );

    itNeeds(
      init,
      ['crossProcess'],
      "a lease taken in one process fences the other process's writes",
      async ({ expect }) => {
        const remote = await other();
        const key = randomKey();
        await ctx.manager().create(key);
        const grant = await ctx.engine.acquireLease(key, { owner: 'here', ttlMs: 30_000 });
        if (!grant.acquired) throw new Error('acquireLease must grant a free lease');
        const refused = await remote.acquireLease(key, { owner: 'there', ttlMs: 30_000 });
        expect(refused.acquired, 'acquireLease in another process must see the lease held').toBe(false);
        expect(
          await caught(remote.appendMessages(key, [testMessage(key, { content: 'forged' })], { lease: { owner: 'here', token: grant.lease.token + 1 } })),
          'appendMessages must check the lease in the store, atomically with the write, from any process',
        ).toBeInstanceOf(LockExpiredError);
        await remote.appendMessages(key, [testMessage(key, { content: 'under the lease' })], { lease: grant.lease });
        expect(await remote.releaseLease(grant.lease), 'releaseLease must work from another process').toBe(true);
        const taken = await remote.acquireLease(key, { owner: 'there', ttlMs: 30_000 });
        expect(taken.acquired, 'acquireLease must see a release made in another process').toBe(true);
        expect(
          await caught(ctx.engine.appendMessages(key, [testMessage(key, { content: 'stale' })], { lease: grant.lease })),
          'appendMessages must refuse a lease another process has since taken over',
        ).toBeInstanceOf(LockExpiredError);
        expect(
          (await ctx.engine.readMessages(key)).map((m) => m.content),
          'refused writes must leave nothing behind',
        ).toEqual(['under the lease']);
        if (taken.acquired) await remote.releaseLease(taken.lease);
      },
      capabilities,
    );
  });
}
