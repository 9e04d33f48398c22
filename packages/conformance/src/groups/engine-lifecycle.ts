import { describe, it } from 'vitest';
import { EngineClosedError, NotSetUpError } from '@sessions/core';
import { caught, itNeeds, randomKey } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';
import type { ConformanceOptions } from '../options.js';

/** setup() before use, close() idempotent, typed errors before setup and after close. */
export function engineLifecycleTests(init: ConformanceInitializer, _options: ConformanceOptions = {}): void {
  describe('engine lifecycle', () => {
    it('fails with NotSetUpError before setup(), not with a driver error', async ({ expect }) => {
      const engine = await init.create();
      try {
        const key = randomKey();
        expect(
          await caught(engine.getSession(key)),
          'getSession must throw NotSetUpError (fails with NotSetUpError before setup(), not with a driver error)',
        ).toBeInstanceOf(NotSetUpError);
        await expect(engine.findMany('sessions')).rejects.toThrow(/call setup\(\) first/);
        expect(
          await caught(engine.acquireLease(key, { owner: 'o', ttlMs: 1000 })),
          'acquireLease must throw NotSetUpError (fails with NotSetUpError before setup(), not with a driver error)',
        ).toBeInstanceOf(NotSetUpError);
      } finally {
        await engine.close();
        await init.destroy?.(engine);
      }
    });

    it('reports the stored schema version: null on a store never set up, asked before setup(); a version after', async ({ expect }) => {
      const engine = await init.create();
      try {
        expect(await engine.storedSchemaVersion()).toBeNull();
        expect(await engine.storedSchemaVersion()).toBeNull();
        expect(
          await caught(engine.getSession(randomKey())),
          'getSession must throw NotSetUpError (reports the stored schema version: null on a store never set up, asked before setup(); a version after)',
        ).toBeInstanceOf(NotSetUpError);
        await engine.setup();
        const version = await engine.storedSchemaVersion();
        expect(Number.isSafeInteger(version) && (version as number) >= 1, `storedSchemaVersion must be a whole version >= 1 after setup, got ${version}`).toBe(
          true,
        );
        await engine.close();
        expect(
          await caught(engine.storedSchemaVersion()),
          'storedSchemaVersion must throw EngineClosedError (reports the stored schema version: null on a store never set up, asked before setup(); a version after)',
        ).toBeInstanceOf(EngineClosedError);
      } finally {
        await engine.close();
        await init.destroy?.(engine);
      }
    });

    itNeeds(init, ['reopen'], 'another engine on the same store reports the stored schema version before its own setup()', async ({ expect }) => {
      const engine = await init.create();
      try {
        await engine.setup();
        const other = await init.reopen!(engine);
        try {
          expect(await other.storedSchemaVersion(), 'storedSchemaVersion must read the version setup() recorded in the store').toBe(
            await engine.storedSchemaVersion(),
          );
        } finally {
          await other.close();
        }
      } finally {
        await engine.close();
        await init.destroy?.(engine);
      }
    });

    it('setup() is idempotent, also when called concurrently', async ({ expect }) => {
      const engine = await init.create();
      try {
        await Promise.all([engine.setup(), engine.setup(), engine.setup()]);
        await engine.setup();
        expect(await engine.getSession(randomKey())).toBeNull();
      } finally {
        await engine.close();
        await init.destroy?.(engine);
      }
    });

    it('close() is safe twice, and calls after it fail with EngineClosedError', async ({ expect }) => {
      const engine = await init.create();
      await engine.setup();
      await engine.close();
      await engine.close();
      expect(
        await caught(engine.getSession(randomKey())),
        'getSession must throw EngineClosedError (close() is safe twice, and calls after it fail with EngineClosedError)',
      ).toBeInstanceOf(EngineClosedError);
      expect(
        await caught(engine.setup()),
        'setup must throw EngineClosedError (close() is safe twice, and calls after it fail with EngineClosedError)',
      ).toBeInstanceOf(EngineClosedError);
      await init.destroy?.(engine);
    });

    it('works with await using', async ({ expect }) => {
      const created = await init.create();
      {
        await using engine = created;
        await engine.setup();
        expect(await engine.getSession(randomKey())).toBeNull();
      }
      const closed = await created.getSession(randomKey()).then(
        () => false,
        (error: unknown) => error instanceof EngineClosedError,
      );
      expect(closed).toBe(true);
      await init.destroy?.(created);
    });
  });
}
