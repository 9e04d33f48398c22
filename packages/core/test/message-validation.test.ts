import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/index.js';
import { memoryManager } from './support/memory-manager.js';

async function refusal(call: () => Promise<unknown>): Promise<ValidationError> {
  const error: unknown = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('message values are validated once, by the engine, before anything is written', () => {
  it('refuses values that cannot even be measured with a ValidationError naming the part', async () => {
    const sessions = await memoryManager();
    const key = await sessions.create({ userId: 'u' });
    const cases: Array<[unknown, string]> = [
      [{ role: 'user', content: [1n] }, 'messages[1].content[0]'],
      [{ role: 'user', content: undefined }, 'messages[1].content'],
      [{ role: 'user', content: 'x', metadata: () => 1 }, 'messages[1].metadata'],
      [{ role: 'robot', content: 'x' }, 'messages[1].role'],
    ];
    for (const [message, path] of cases) {
      const error = await refusal(() => sessions.append(key, [{ role: 'user', content: 'fine' }, message as never]));
      expect(error.path).toBe(path);
    }
    expect(await sessions.messages(key)).toEqual([]);
  });

  it('still measures a message before the engine sees it', async () => {
    const sessions = await memoryManager();
    const key = await sessions.create({ userId: 'u' });
    const error = await refusal(() => sessions.append(key, { role: 'user', content: 'x'.repeat(1024 * 1024 + 1) }));
    expect(error.message).toMatch(/messages\[0\]: is \d+ bytes, over the limit/);
  });
});
