import { StorageError, ValidationError } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { parseEngineUrl } from '../src/connection.js';
import { fromUrl } from '../src/index.js';

describe('ioredis options in the URL', () => {
  it('passes numeric ones as numbers: ?connectTimeout=1000 used to crash the process with a TypeError from socket.setTimeout', async () => {
    const parsed = parseEngineUrl('redis://127.0.0.1:1/0?connectTimeout=1000&commandTimeout=2000&prefix=p:');
    expect(parsed.redisOptions).toEqual({ connectTimeout: 1000, commandTimeout: 2000 });
    expect(parsed.url).toBe('redis://127.0.0.1:1/0');

    const engine = fromUrl('redis://127.0.0.1:1/0?connectTimeout=1000');
    const error = await engine.setup().catch((caught: unknown) => caught);
    await engine.close();
    expect(error).toBeInstanceOf(StorageError);
  });

  it('refuses a numeric one that is not a whole number, by name', () => {
    expect(() => parseEngineUrl('redis://127.0.0.1:1/0?connectTimeout=soon')).toThrow(/connectTimeout/);
  });

  for (const name of ['keyPrefix', 'autoResendUnfulfilledCommands', 'enableOfflineQueue', 'lazyConnect']) {
    it(`refuses ?${name}=, which the engine depends on, by name`, () => {
      let caught: unknown;
      try {
        fromUrl(`redis://127.0.0.1:1/0?${name}=true`);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).message).toContain(name);
      expect((caught as ValidationError).path).toBe('url');
    });
  }
});
