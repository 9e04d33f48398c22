import { describe, expect, it } from 'vitest';
import { MemoryEngine, StorageError } from '../src/index.js';

/** An engine whose store never answers the question, as a server that accepted the connection and went quiet. */
class SilentStore extends MemoryEngine {
  protected override doStoredSchemaVersion(): Promise<number | null> {
    return new Promise(() => {});
  }
}

class FailingStore extends MemoryEngine {
  protected override async doStoredSchemaVersion(): Promise<number | null> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:1');
  }
}

describe('storedSchemaVersion', () => {
  it('gives up at once when the signal aborts while the store is silent, rejecting with the reason itself', async () => {
    const engine = new SilentStore();
    const controller = new AbortController();
    const reason = new Error('deploy cancelled');
    const asked = engine.storedSchemaVersion({ signal: controller.signal });
    controller.abort(reason);
    await expect(asked).rejects.toBe(reason);
    await engine.close();
  });

  it('wraps a driver failure in StorageError with the cause kept', async () => {
    const error = await new FailingStore().storedSchemaVersion().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toMatchObject({ message: 'connect ECONNREFUSED 127.0.0.1:1' });
  });

  it('is null for a memory store before setup and its version after, which another engine on the store sees', async () => {
    const engine = new MemoryEngine();
    expect(await engine.storedSchemaVersion()).toBeNull();
    await engine.setup();
    expect(await engine.storedSchemaVersion()).toBe(1);
    expect(await new MemoryEngine({ store: engine.sharedStore }).storedSchemaVersion()).toBe(1);
  });
});
