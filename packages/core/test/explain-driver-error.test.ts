import { describe, expect, it } from 'vitest';
import { LockHeldError, MemoryEngine, StorageError } from '../src/index.js';

const refused = () => new Error('Connection is closed.');

/** A store whose driver fails every call alike, and an adapter that knows what its driver's errors mean. */
class ExplainingStore extends MemoryEngine {
  failSetup = false;
  protected override async doSetup(): Promise<void> {
    if (this.failSetup) throw refused();
    await super.doSetup();
  }
  protected override async doGetSession(): Promise<null> {
    throw refused();
  }
  protected override async doAcquireLease(): Promise<never> {
    throw new LockHeldError({ userId: 'u', sessionId: 's' }, 'other', new Date());
  }
  protected override explainDriverError(error: unknown): unknown {
    return new Error(`the server at 127.0.0.1:1 refused the connection`, { cause: error });
  }
}

describe('explainDriverError', () => {
  it('turns the driver error of any operation into the StorageError cause the adapter explains', async () => {
    const engine = new ExplainingStore();
    engine.failSetup = true;
    const setupError = await engine.setup().catch((caught: unknown) => caught);
    expect(setupError).toBeInstanceOf(StorageError);
    expect((setupError as Error).message).toBe('[sessions] [memory] setup failed: the server at 127.0.0.1:1 refused the connection');

    engine.failSetup = false;
    await engine.setup();
    const readError = await engine.getSession({ userId: 'u', sessionId: 's' }).catch((caught: unknown) => caught);
    expect((readError as Error).message).toBe('[sessions] [memory] getSession failed: the server at 127.0.0.1:1 refused the connection');
    expect(((readError as Error).cause as Error).cause).toEqual(refused());
    await engine.close();
  });

  it('leaves the errors of the library itself alone', async () => {
    const engine = new ExplainingStore();
    await engine.setup();
    await expect(engine.acquireLease({ userId: 'u', sessionId: 's' }, { owner: 'me', ttlMs: 1_000 })).rejects.toBeInstanceOf(LockHeldError);
    await engine.close();
  });
});
