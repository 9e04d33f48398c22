import { describe, it } from 'vitest';
import { SessionManager, type Engine } from '@sessions/core';

/** What an adapter's `testing` entry point returns from `createTestStore()`. */
export interface TestStoreLike {
  readonly url: string;
  engine(): Engine;
  drop(): Promise<void>;
}

export interface TestStoreSuite<S extends TestStoreLike> {
  /** The package, e.g. `@sessions/postgres`. */
  name: string;
  /** The adapter's `createTestStore`, as a test calls it. */
  create(): Promise<S>;
  /** The adapter's `createTestStore` pointed at `url`. */
  createAt(url: string): Promise<S>;
  /** The adapter's `fromUrl`. */
  fromUrl(url: string): Engine;
  /** Whether the store's schema, database or keys are still there, read directly from the server. */
  exists(store: S): Promise<boolean>;
  /** The store's schema, database or key prefix, and the shape `create()` asked for. */
  isolation: { of(store: S): string; pattern: RegExp };
  /** A URL nothing answers at, with a password in it, and the start of the message expected for it. */
  unreachable: { url: string; message: RegExp };
}

/**
 * Checks an adapter's `createTestStore()`: the isolated store it makes is reached by both
 * `engine()` and its URL, `drop()` removes it and may be called twice, and a server that does not
 * answer fails with how to start it (the password hidden).
 */
export function testStoreTests<S extends TestStoreLike>(suite: TestStoreSuite<S>): void {
  describe(`${suite.name}/testing`, () => {
    it('makes an isolated store that engine() and the url both reach, and drop() removes it (twice is fine)', async ({ expect }) => {
      const store = await suite.create();
      expect(suite.isolation.of(store)).toMatch(suite.isolation.pattern);
      const engine = store.engine();
      const other = suite.fromUrl(store.url);
      try {
        await engine.setup();
        await new SessionManager({ engine }).create({ userId: 'u', sessionId: 's' });
        await other.setup();
        expect((await new SessionManager({ engine: other }).get({ userId: 'u', sessionId: 's' }))?.sessionId).toBe('s');
        expect(await suite.exists(store)).toBe(true);
      } finally {
        await engine.close();
        await other.close();
      }
      await store.drop();
      await store.drop();
      expect(await suite.exists(store)).toBe(false);
    });

    it('fails, saying how to start the server, when nothing answers', async ({ expect }) => {
      const error = await suite.createAt(suite.unreachable.url).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(suite.unreachable.message);
      expect((error as Error).message).toMatch(/Start the test servers/);
      expect((error as Error).message).not.toMatch(/secret/);
    });
  });
}
