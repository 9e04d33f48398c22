import { describe, expect, it } from 'vitest';
import { createEngine, LockExpiredError, MemoryEngine, registerAdapter, SessionManager, ValidationError, type Engine, type Lease } from '../src/index.js';

async function setUp(options: { clock?: () => number } = {}) {
  const engine = new MemoryEngine(options);
  await engine.setup();
  return engine;
}

describe('SessionManager.run heartbeat', () => {
  it('keeps the lease through a run far longer than its TTL', async () => {
    const sessions = new SessionManager({ engine: await setUp(), lockTtlMs: 300, heartbeatMs: 80 });
    const session = await sessions.create({ userId: 'u' });
    const written = await sessions.run(session, async ({ append, signal }) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(signal.aborted).toBe(false);
      return append({ role: 'assistant', content: 'slow but fine' });
    });
    expect(written[0]!.seq).toBe(1);
  });

  it('presumes the lease lost when renewals hang past the local deadline', async () => {
    class HangingRenewEngine extends MemoryEngine {
      protected override doRenewLease(): Promise<Lease | null> {
        return new Promise(() => undefined);
      }
    }
    const engine = new HangingRenewEngine();
    await engine.setup();
    const sessions = new SessionManager({ engine, lockTtlMs: 300, heartbeatMs: 50 });
    const session = await sessions.create({ userId: 'u' });
    const started = performance.now();
    const error = await sessions
      .run(session, ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockExpiredError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('a store clock an hour ahead of the app changes nothing about leases', async () => {
    const hourAhead = () => Date.now() + 3_600_000;
    const sessions = new SessionManager({ engine: await setUp({ clock: hourAhead }), lockTtlMs: 300, heartbeatMs: 80 });
    const session = await sessions.create({ userId: 'u' });
    const lease = await sessions.acquire(session);
    await sessions.append(session, { role: 'user', content: 'x' }, { lease });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(sessions.append(session, { role: 'user', content: 'late' }, { lease })).rejects.toBeInstanceOf(LockExpiredError);
  });
});

describe('SessionManager options', () => {
  it('validates its configuration', async () => {
    const engine = await setUp();
    expect(() => new SessionManager({ engine, lockTtlMs: 30_000, heartbeatMs: 15_000 })).toThrow(/heartbeatMs/);
    expect(() => new SessionManager({ engine, limits: { maxMessageBytes: 0 } })).toThrow(ValidationError);
    expect(() => new SessionManager({ engine, owner: '' })).toThrow(ValidationError);
  });

  it('rejects unknown fields in update', async () => {
    const sessions = new SessionManager({ engine: await setUp() });
    const session = await sessions.create({ userId: 'u' });
    await expect(sessions.update(session, { status: 'archived' } as never)).rejects.toThrow(/unknown field "status"/);
  });
});

describe('createEngine', () => {
  it('builds the in-memory engine', async () => {
    const engine = await createEngine('memory:');
    expect(engine).toBeInstanceOf(MemoryEngine);
    await expect(createEngine('memory:extra')).rejects.toBeInstanceOf(ValidationError);
    // schemes are case-insensitive
    expect(await createEngine('MEMORY:')).toBeInstanceOf(MemoryEngine);
    await expect(createEngine('Memory:x')).rejects.toThrow(/takes no options/);
  });

  it('rejects unknown schemes and URLs without one', async () => {
    await expect(createEngine('ftp://x')).rejects.toThrow(/unknown scheme/);
    await expect(createEngine('sessions.db')).rejects.toThrow(/no scheme/);
    await expect(createEngine('')).rejects.toBeInstanceOf(ValidationError);
  });

  it('uses a registered adapter for a custom scheme', async () => {
    const engine = new MemoryEngine();
    registerAdapter('custom:', () => ({ fromUrl: (): Engine => engine }));
    expect(await createEngine('custom:anything')).toBe(engine);
  });
});
