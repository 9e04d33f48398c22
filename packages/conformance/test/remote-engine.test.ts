import { describe, it } from 'vitest';
import { EngineClosedError, SessionManager, ValidationError, LockHeldError } from '@sessions/core';
import { openRemoteEngine, randomKey } from '../src/index.js';

describe('an engine in a child process', () => {
  it('serves every call from the child, with typed errors, and closes idempotently', async ({ expect }) => {
    const engine = await openRemoteEngine({ module: '@sessions/core', exportName: 'MemoryEngine' }, 'test');
    expect(engine.pid).not.toBe(process.pid);
    expect(engine.name).toBe('memory');
    const manager = new SessionManager({ engine, owner: 'a' });
    const key = randomKey();
    await manager.create({ ...key, title: 'in the child' });
    await manager.append(key, { role: 'user', content: 'hi' });
    expect((await manager.messages(key))[0]).toMatchObject({ seq: 1, content: 'hi', createdAt: expect.any(Date) });
    const lease = await manager.acquire(key);
    const held = await new SessionManager({ engine, owner: 'b' }).acquire(key).catch((error: unknown) => error);
    expect(held).toBeInstanceOf(LockHeldError);
    expect((held as LockHeldError).holder).toBe('a');
    const invalid = await engine.getSession({ userId: '', sessionId: 's' }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).path).toBe('key.userId');
    await manager.release(lease);
    await Promise.all([engine.close(), engine.close()]);
    await expect(engine.getSession(key)).rejects.toBeInstanceOf(EngineClosedError);
  });

  it('says what is wrong with a recipe that builds no engine', async ({ expect }) => {
    await expect(openRemoteEngine({ module: '@sessions/core', exportName: 'NoSuchEngine' }, 'test')).rejects.toThrow(/no export "NoSuchEngine"/);
    await expect(openRemoteEngine({ module: '/nonexistent/engine.js', exportName: 'X' }, 'test')).rejects.toThrow(/nonexistent/);
  });
});
