import { describe, expect, it } from 'vitest';
import { ConcurrentUpdateError, ValidationError } from '../src/index.js';
import { memoryManager as manager } from './support/memory-manager.js';

describe('update with expectedVersion', () => {
  it('writes when the version is still the one read, and refuses, changing nothing, when another write came in between', async () => {
    const sessions = await manager();
    const key = await sessions.create({ userId: 'u', metadata: { tags: ['a'] } });
    const read = (await sessions.get(key))!;
    const renamed = await sessions.update(key, { title: 'renamed elsewhere' });
    await expect(
      sessions.update(key, { title: 'from a stale read', metadata: { ...read.metadata, preview: 'p' } }, { expectedVersion: read.version }),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect(await sessions.get(key)).toEqual(renamed);
    const updated = await sessions.update(key, { metadata: { ...renamed.metadata, preview: 'p' } }, { expectedVersion: renamed.version });
    expect(updated).toMatchObject({ title: 'renamed elsewhere', metadata: { tags: ['a'], preview: 'p' }, version: renamed.version + 1 });
  });

  it('takes a lease alongside, and refuses a version that is not a count', async () => {
    const sessions = await manager();
    const key = await sessions.create({ userId: 'u' });
    const lease = await sessions.acquire(key);
    const { version } = (await sessions.get(key))!;
    await expect(sessions.update(key, { title: 't' }, { lease, expectedVersion: version })).resolves.toMatchObject({ title: 't' });
    for (const bad of [-1, 1.5, '1', null]) {
      await expect(sessions.update(key, { title: 'x' }, { expectedVersion: bad as never })).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(sessions.update(key, { title: 'x' }, { expectedVersoin: 1 } as never)).rejects.toThrow(/unknown option "expectedVersoin"/);
  });
});
