import { afterAll, describe, type ExpectStatic } from 'vitest';
import { LockHeldError, SessionManager, type Engine, type SessionKey } from '@sessions/core';
import { capabilitiesOf, caught, itNeeds, openInChild, randomKey } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

/**
 * A persistent engine's data is in the store: after the writing engine closed, another OS
 * process opening the same store sees every committed session, message and lease token. An
 * in-process cache cannot answer for the child process, so an engine that keeps its data in
 * memory fails here even when its `reopen` shares that memory.
 */
export function persistenceTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('persistence (checked from another process)', () => {
    const made: Engine[] = [];
    afterAll(async () => {
      for (const engine of made) await init.destroy?.(engine);
    });

    itNeeds(
      init,
      ['persistent'],
      'another process sees every committed session, message and lease after the writer closed, and its own writes persist',
      async ({ expect, skip }) => {
        const writerEngine = await init.create();
        made.push(writerEngine);
        await writerEngine.setup();
        if (!capabilitiesOf(init, writerEngine).persistent) {
          await writerEngine.close();
          return skip('skipped: the engine declares persistent: false');
        }
        requireOpener(init, 'persistent');
        const key = randomKey();
        const writer = new SessionManager({ engine: writerEngine, owner: 'writer' });
        await writer.create({ ...key, title: 'persisted', metadata: { n: 1 }, state: { step: 3 } });
        await writer.append(key, [
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'two' },
        ]);
        const lease = await writer.acquire(key, { ttlMs: 60_000 });
        await writerEngine.close();

        const first = await openInChild(init, writerEngine, 'reader');
        try {
          const reader = new SessionManager({ engine: first, owner: 'reader' });
          expect(await reader.get(key), "createSession and appendMessages must be in the store, not in the writing engine's memory").toMatchObject({
            title: 'persisted',
            metadata: { n: 1 },
            state: { step: 3 },
            messageCount: 2,
            lastSeq: 2,
          });
          expect(
            (await reader.messages(key)).map((m) => [m.seq, m.content]),
            'appendMessages must be in the store',
          ).toEqual([
            [1, 'one'],
            [2, 'two'],
          ]);
          expect(await caught(reader.acquire(key)), 'acquireLease must be in the store: another process must see the lease held').toBeInstanceOf(LockHeldError);
          expect(await first.releaseLease(lease), 'releaseLease must find the lease in the store, from any process').toBe(true);
          const next = await reader.acquire(key);
          expect(next.token, 'lease tokens must be in the store and keep growing across processes').toBeGreaterThan(lease.token);
          await reader.append(key, { role: 'user', content: 'three' }, { lease: next });
          await reader.release(next);
        } finally {
          await first.close();
        }
        await checkSeenByAnotherProcess(init, writerEngine, key, expect);
      },
    );
  });
}

async function checkSeenByAnotherProcess(init: ConformanceInitializer, engine: Engine, key: SessionKey, expect: ExpectStatic): Promise<void> {
  const second = await openInChild(init, engine, 'second reader');
  try {
    const messages = await second.readMessages(key);
    expect(
      messages.map((m) => m.content),
      'a write made in one process must persist for the next',
    ).toEqual(['one', 'two', 'three']);
  } finally {
    await second.close();
  }
}

/** Persistence and cross-process claims are only believed when another process can check them. */
export function requireOpener(init: ConformanceInitializer, capability: 'persistent' | 'crossProcess'): void {
  if (init.openInAnotherProcess) return;
  throw new Error(
    `${init.name} declares ${capability}: true, but its conformance initializer has no openInAnotherProcess, so the suite cannot check ` +
      `it from a second process. Add openInAnotherProcess (see "Writing an adapter"), or declare capabilities: { ${capability}: false } to skip these tests.`,
  );
}
