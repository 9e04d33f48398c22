import { describe, expect, it } from 'vitest';
import { eq, MemoryEngine, SessionManager, ValidationError } from '../src/index.js';
import { memoryManager as manager } from './support/memory-manager.js';

describe('a misspelt option is refused, never silently dropped', () => {
  it('rejects a write whose lease option is misspelt instead of writing unfenced', async () => {
    const sessions = await manager();
    const key = await sessions.create({ userId: 'u' });
    const lease = await sessions.acquire(key, { owner: 'holder' });
    const typo = { leas: lease } as never;
    await expect(sessions.append(key, { role: 'user', content: 'x' }, typo)).rejects.toThrow(/unknown option "leas"/);
    await expect(sessions.update(key, { title: 't' }, typo)).rejects.toThrow(ValidationError);
    await expect(sessions.setState(key, { a: 1 }, typo)).rejects.toThrow(ValidationError);
    await expect(sessions.clear(key, typo)).rejects.toThrow(ValidationError);
    await expect(sessions.truncate(key, { afterSeq: 0 }, typo)).rejects.toThrow(ValidationError);
    await expect(sessions.delete(key, typo)).rejects.toThrow(ValidationError);
    const stored = await sessions.get(key);
    expect(stored).toMatchObject({ messageCount: 0, title: null, state: {} });
  });

  it('rejects a misspelt list option instead of listing every session', async () => {
    const sessions = await manager();
    await sessions.create({ userId: 'u', metadata: { channel: 'web' } });
    await expect(sessions.list({ userId: 'u', wher: eq('metadata.channel', 'app') } as never)).rejects.toThrow(/unknown option "wher"/);
    await expect(sessions.list({ userId: 'u', includeArchived: 'no' } as never)).rejects.toThrow(/options.includeArchived/);
    await expect(sessions.list({ userId: 'u', cursor: 5 } as never)).rejects.toThrow(/options.cursor/);
    // Optional values spread in as undefined, and the cursor of a first page given as null, are fine.
    expect((await sessions.list({ userId: 'u', where: undefined, cursor: null })).sessions).toHaveLength(1);
  });

  it('rejects misspelt fork, import, acquire, run, setState and archiveInactive options', async () => {
    const sessions = await manager();
    const key = await sessions.create({
      userId: 'u',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
    });
    await expect(sessions.fork(key, { uptoSeq: 1 } as never)).rejects.toThrow(/unknown option "uptoSeq"/);
    await expect(sessions.import(await sessions.export(key), { onconflict: 'skip' } as never)).rejects.toThrow(/unknown option "onconflict"/);
    await expect(sessions.acquire(key, { ttl: 1_000 } as never)).rejects.toThrow(/unknown option "ttl"/);
    await expect(sessions.run(key, () => 'ran', { wait: 1_000 } as never)).rejects.toThrow(/unknown option "wait"/);
    await expect(sessions.setState(key, { a: 1 }, { replace: 'yes' } as never)).rejects.toThrow(/options.replace/);
    await expect(sessions.archiveInactive({ olderThan: 0, user: 'u' } as never)).rejects.toThrow(/unknown option "user"/);
    expect(await sessions.list({ userId: 'u' })).toMatchObject({ sessions: [{ sessionId: key.sessionId, state: {}, status: 'active' }] });
    // Nothing was left locked by the refused calls.
    expect(await sessions.run(key, () => 'ran')).toBe('ran');
  });

  it('checks run history and signals before taking the lease', async () => {
    const sessions = await manager();
    const key = await sessions.create({ userId: 'u' });
    await expect(sessions.run(key, () => 1, { history: 'none' } as never)).rejects.toThrow(/options.history/);
    await expect(sessions.run(key, () => 1, { history: { last: -1 } })).rejects.toThrow(/options.history.last/);
    await expect(sessions.run(key, () => 1, { history: { first: 1 } } as never)).rejects.toThrow(/unknown option "first"/);
    await expect(sessions.acquire(key, { signal: 'stop' } as never)).rejects.toThrow(/options.signal: must be an AbortSignal/);
    const lease = await sessions.acquire(key, { owner: 'free' });
    expect(lease.token).toBe(1);
  });

  it('rejects unknown manager options and a clock that is not a function', async () => {
    const engine = new MemoryEngine();
    expect(() => new SessionManager({ engine, lockTTLMs: 5_000 } as never)).toThrow(/unknown option "lockTTLMs"/);
    expect(() => new SessionManager({ engine, limits: { maxBytes: 10 } } as never)).toThrow(/unknown option "maxBytes"/);
    expect(() => new SessionManager({ engine, clock: 5 } as never)).toThrow(/options.clock/);
  });

  it('rejects a misspelt engine query key instead of matching every record', async () => {
    const sessions = await manager();
    await sessions.create({ userId: 'u' });
    await expect(sessions.engine.findMany('sessions', { wher: eq('userId', 'nobody') } as never)).rejects.toThrow(/unknown query option "wher"/);
    await expect(sessions.engine.findOne('sessions', { limit: 1 } as never)).rejects.toThrow(/unknown query option "limit"/);
    await expect(sessions.engine.count('sessions', { orderBy: [] } as never)).rejects.toThrow(/unknown query option "orderBy"/);
    expect(await sessions.engine.count('sessions', { where: eq('userId', 'u') })).toBe(1);
  });
});

describe('getOrCreate', () => {
  it('refuses a misspelt field whether or not the session exists', async () => {
    const sessions = await manager();
    const input = { userId: 'u', sessionId: 'chat', titel: 'Trip' } as never;
    await expect(sessions.getOrCreate(input)).rejects.toThrow(/unknown field "titel"/);
    await sessions.getOrCreate({ userId: 'u', sessionId: 'chat' });
    await expect(sessions.getOrCreate(input)).rejects.toThrow(/unknown field "titel"/);
  });
});
