import { StorageError } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { fromUrl } from '../src/index.js';

// Port 1 on loopback: nothing listens there, so the connection is refused at once.
const REFUSING = 'redis://127.0.0.1:1/0';

describe('a server that refuses the connection', () => {
  it('fails setup() saying the server refused it, and which host:port', async () => {
    const engine = fromUrl(REFUSING);
    const error = await engine.setup().catch((caught: unknown) => caught);
    await engine.close();
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/the Redis server at 127\.0\.0\.1:1 refused the connection/);
    expect((error as Error).message).not.toMatch(/Connection is closed/);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    expect((error as StorageError).kind).toBe('unreachable');
  });

  it('fails storedSchemaVersion() the same way', async () => {
    const engine = fromUrl(REFUSING);
    const error = await engine.storedSchemaVersion().catch((caught: unknown) => caught);
    await engine.close();
    expect((error as Error).message).toMatch(/the Redis server at 127\.0\.0\.1:1 refused the connection/);
  });
});
