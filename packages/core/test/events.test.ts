import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/index.js';
import { memoryManager as manager } from './support/memory-manager.js';

describe('events', () => {
  it('refuse an unknown event name or a listener that is not a function, so later writes are unaffected', async () => {
    const sessions = await manager();
    expect(() => sessions.on('message' as never, () => undefined)).toThrow(/unknown event "message"/);
    expect(() => sessions.on('session', 5 as never)).toThrow(/listener must be a function/);
    expect(() => sessions.off('sessions' as never, () => undefined)).toThrow(ValidationError);
    const seen: string[] = [];
    const stop = sessions.on('session', (event) => seen.push(event.type));
    await sessions.create({ userId: 'u' });
    stop();
    await sessions.create({ userId: 'u' });
    expect(seen).toEqual(['created']);
  });
});
