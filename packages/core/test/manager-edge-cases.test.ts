import { describe, expect, it } from 'vitest';
import { desc, eq, MemoryEngine, SessionExistsError, SessionManager, ValidationError, type Session, type SessionKey } from '../src/index.js';
import { memoryManager as manager } from './support/memory-manager.js';

describe('SessionManager edge cases', () => {
  it('renews fast enough for a run with a short per-call TTL', async () => {
    const sessions = await manager();
    const key = await sessions.create({ userId: 'u' });
    const result = await sessions.run(
      key,
      async ({ append }) => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return append({ role: 'user', content: 'still held' });
      },
      { ttlMs: 400 },
    );
    expect(result[0]!.seq).toBe(1);
  });

  it('getOrCreate never deletes a session another caller re-created after it expired', async () => {
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    class SlowReadEngine extends MemoryEngine {
      slowOnce = false;
      protected override async doGetSession(key: SessionKey): Promise<Session | null> {
        const session = await super.doGetSession(key);
        if (this.slowOnce) {
          this.slowOnce = false;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return session;
      }
    }
    const engine = new SlowReadEngine();
    await engine.setup();
    const sessions = new SessionManager({ engine, clock: () => now });
    const key = { userId: 'u', sessionId: 'chat' };
    await sessions.create({ ...key, ttlMs: 1_000 });
    now += 5_000;
    engine.slowOnce = true;
    const slow = sessions.getOrCreate({ ...key, title: 'B' }); // reads the expired row, then stalls
    const fast = await sessions.getOrCreate({ ...key, title: 'A' });
    await sessions.append(key, { role: 'user', content: 'kept' });
    await slow;
    expect((await sessions.get(key))!.title).toBe(fast.title);
    expect(await sessions.messages(key)).toHaveLength(1);
  });

  it('does not lose concurrent state patches under contention', async () => {
    const sessions = await manager();
    const key = await sessions.create({ userId: 'u' });
    await Promise.all(Array.from({ length: 30 }, (_, i) => sessions.setState(key, { [`k${i}`]: i })));
    expect(Object.keys(await sessions.getState(key))).toHaveLength(30);
  });

  it('appends a very large batch whole or not at all', async () => {
    const engine = new MemoryEngine();
    await engine.setup();
    const sessions = new SessionManager({ engine, limits: { maxMessagesPerAppend: 200_000 } });
    const key = await sessions.create({ userId: 'u' });
    const appended = await sessions.append(
      key,
      Array.from({ length: 200_000 }, () => ({ role: 'user' as const, content: 'x' })),
    );
    expect(appended.at(-1)!.seq).toBe(200_000);
    expect((await sessions.get(key))!.lastSeq).toBe(200_000);
  });

  it('rejects unknown create fields and malformed options with ValidationError', async () => {
    const sessions = await manager();
    await expect(sessions.create({ userId: 'u', ttl: 1000 } as never)).rejects.toThrow(/unknown field "ttl"/);
    await expect(sessions.create({ userId: 'u', messages: 'hi' } as never)).rejects.toBeInstanceOf(ValidationError);
    const key = await sessions.create({ userId: 'u' });
    await expect(sessions.setState(key, {}, null as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.fork(key, null as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.engine.findMany('bogus' as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.engine.findMany('sessions', null as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.engine.count('sessions', null as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.engine.findMany('sessions', { limit: 0, where: { op: 'nope' } as never })).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects timestamps in filters that no backend can compare the same way', async () => {
    const sessions = await manager();
    const where = (value: unknown) => sessions.engine.findMany('sessions', { where: eq('createdAt', value as Date) });
    await expect(where('2026-02-30T00:00:00Z')).rejects.toBeInstanceOf(ValidationError);
    await expect(where(new Date(8.64e15))).rejects.toBeInstanceOf(ValidationError);
    await expect(where('2026-02-28T00:00:00Z')).resolves.toEqual([]);
  });

  it('lists with the one-term array form of orderBy', async () => {
    const sessions = await manager();
    await sessions.create({ userId: 'u', sessionId: 'a' });
    await sessions.create({ userId: 'u', sessionId: 'b' });
    const page = await sessions.list({ userId: 'u', orderBy: [desc('sessionId') as never] });
    expect(page.sessions.map((s) => s.sessionId)).toEqual(['b', 'a']);
  });

  it('inserts a batch of sessions all or nothing', async () => {
    const sessions = await manager();
    const record = (sessionId: string): Session => ({
      userId: 'u',
      sessionId,
      title: null,
      metadata: {},
      state: {},
      status: 'active',
      createdAt: new Date(),
      updatedAt: new Date(),
      expiresAt: null,
      parentSessionId: null,
      parentSeq: null,
      messageCount: 0,
      lastSeq: 0,
      version: 0,
    });
    await expect(sessions.engine.insert('sessions', [record('a'), record('b'), record('a')])).rejects.toBeInstanceOf(SessionExistsError);
    await sessions.engine.insert('sessions', [record('c')]);
    await expect(sessions.engine.insert('sessions', [record('d'), record('c')])).rejects.toBeInstanceOf(SessionExistsError);
    expect(await sessions.engine.count('sessions')).toBe(1);
  });
});

describe('bad arguments are ValidationErrors, never TypeErrors', () => {
  it('names the argument of acquire, renew, release and run', async () => {
    const sessions = await manager();
    const key = await sessions.create({ userId: 'u' });
    await expect(sessions.acquire(key, null as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.renew(undefined as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.renew(null as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.release(null as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.run(key, async () => 1, null as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.truncate(key, null as never)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('import checks what append checks', () => {
  async function exported() {
    const source = await manager();
    const key = await source.create({ userId: 'u', sessionId: 's', messages: [{ role: 'user', content: 'hi' }] });
    return source.export(key);
  }

  it('applies limits.maxMessageBytes and writes nothing over it', async () => {
    const data = await exported();
    const big = { ...data, messages: [{ ...data.messages[0]!, content: 'x'.repeat(2_000) }] };
    const sessions = new SessionManager({ engine: new MemoryEngine(), limits: { maxMessageBytes: 1_024 } });
    await sessions.engine.setup();
    await expect(sessions.import(big)).rejects.toThrow(/over the limit of 1024/);
    expect(await sessions.get({ userId: 'u', sessionId: 's' })).toBeNull();
  });

  it('refuses timestamps that are not ISO 8601 and fields it does not know, instead of guessing or dropping', async () => {
    const data = await exported();
    const sessions = await manager();
    for (const createdAt of ['March 1, 2026', '2026', '2026-03-01']) {
      await expect(sessions.import({ ...data, session: { ...data.session, createdAt } })).rejects.toThrow(/ISO 8601/);
    }
    await expect(sessions.import({ ...data, session: { ...data.session, messageCount: 99 } })).rejects.toThrow(/unknown field "messageCount"/);
    await expect(sessions.import({ ...data, messages: [{ ...data.messages[0]!, bogus: 1 }] })).rejects.toThrow(/unknown field "bogus"/);
    await expect(sessions.import({ ...data, extra: true })).rejects.toThrow(/unknown field "extra"/);
    expect(await sessions.get({ userId: 'u', sessionId: 's' })).toBeNull();
    const offset = { ...data, session: { ...data.session, createdAt: '2026-03-01T10:00:00+02:00' } };
    expect((await sessions.import(offset)).createdAt.toISOString()).toBe('2026-03-01T08:00:00.000Z');
  });
});
