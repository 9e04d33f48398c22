import { describe, expect, it } from 'vitest';
import { EngineClosedError, MemoryEngine, StorageError } from '../src/index.js';

/** A MemoryEngine whose release the test controls: each doClose waits for `finish` or `fail`. */
class SlowClosingEngine extends MemoryEngine {
  closes = 0;
  #pending: { resolve: () => void; reject: (error: Error) => void } | undefined;

  protected override async doClose(): Promise<void> {
    this.closes++;
    await new Promise<void>((resolve, reject) => {
      this.#pending = { resolve, reject };
    });
    await super.doClose();
  }

  finish(): void {
    this.#pending!.resolve();
  }

  fail(error: Error): void {
    this.#pending!.reject(error);
  }
}

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  // Several turns of the event loop: plenty for an already-released close to settle.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('BaseEngine.close()', () => {
  it('makes a second concurrent close wait for the first release, releasing once', async () => {
    const engine = new SlowClosingEngine();
    await engine.setup();
    const first = engine.close();
    const second = engine.close();
    expect(await settled(second)).toBe(false);
    engine.finish();
    await Promise.all([first, second]);
    expect(engine.closes).toBe(1);
    await engine.close();
    expect(engine.closes).toBe(1);
  });

  it('can be retried after a failed release, and is a no-op once it succeeded', async () => {
    const engine = new SlowClosingEngine();
    await engine.setup();
    const first = engine.close();
    const concurrent = engine.close();
    await settled(first);
    engine.fail(new Error('socket hang up'));
    await expect(first).rejects.toBeInstanceOf(StorageError);
    await expect(concurrent).rejects.toBeInstanceOf(StorageError);
    // Closing failed, but the engine is not usable again: it was asked to close.
    await expect(engine.findMany('sessions')).rejects.toBeInstanceOf(EngineClosedError);
    const retry = engine.close();
    await settled(retry);
    engine.finish();
    await retry;
    expect(engine.closes).toBe(2);
    await engine.close();
    expect(engine.closes).toBe(2);
  });

  it('refuses use while closing and after close with EngineClosedError', async () => {
    const engine = new SlowClosingEngine();
    await engine.setup();
    const closing = engine.close();
    await expect(engine.findMany('sessions')).rejects.toBeInstanceOf(EngineClosedError);
    await expect(engine.setup()).rejects.toBeInstanceOf(EngineClosedError);
    engine.finish();
    await closing;
    await expect(engine.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(EngineClosedError);
    await expect(engine.storedSchemaVersion()).rejects.toBeInstanceOf(EngineClosedError);
    await expect(engine.setup()).rejects.toBeInstanceOf(EngineClosedError);
  });

  it('closes an engine that was never set up, through asyncDispose too', async () => {
    const engine = new SlowClosingEngine();
    const disposing = engine[Symbol.asyncDispose]();
    const closing = engine.close();
    expect(await settled(closing)).toBe(false);
    engine.finish();
    await Promise.all([disposing, closing]);
    expect(engine.closes).toBe(1);
  });
});
