import { describe, expect, it } from 'vitest';
import { MemoryEngine, SessionManager } from '../src/index.js';
import { memoryManager as manager } from './support/memory-manager.js';

describe('create', () => {
  it('bounds its initial messages like an append, writing nothing when over the limit', async () => {
    const engine = new MemoryEngine();
    await engine.setup();
    const sessions = new SessionManager({ engine, limits: { maxMessagesPerAppend: 3 } });
    const messages = Array.from({ length: 4 }, (_, i) => ({ role: 'user' as const, content: String(i) }));
    await expect(sessions.create({ userId: 'u', sessionId: 'big', messages })).rejects.toThrow(/input.messages: at most 3 messages/);
    expect(await sessions.get({ userId: 'u', sessionId: 'big' })).toBeNull();
    expect((await sessions.create({ userId: 'u', messages: messages.slice(0, 3) })).messageCount).toBe(3);
  });

  it('explains a __proto__ key in an object literal, which sets the prototype instead of holding data', async () => {
    const sessions = await manager();
    const metadata = { __proto__: { plan: 'pro' } } as never;
    await expect(sessions.create({ userId: 'u', metadata })).rejects.toThrow(/"__proto__" key in an object literal sets the prototype/);
    const parsed = JSON.parse('{"__proto__": {"plan": "pro"}}') as Record<string, never>;
    const session = await sessions.create({ userId: 'u', metadata: parsed });
    expect(Object.hasOwn(session.metadata, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(session.metadata)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['plan']).toBeUndefined();
  });
});
