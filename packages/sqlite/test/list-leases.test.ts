import { afterEach, describe, it } from 'vitest';
import { MemoryEngine, type Engine, type SessionKey } from '@sessions/core';
import { type LeaseInfo } from '@sessions/core/engine';
import { SqliteEngine } from '../src/index.js';

const engines: Engine[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

async function open<E extends Engine>(engine: E): Promise<E> {
  engines.push(engine);
  await engine.setup();
  return engine;
}

// Ids whose code-point order differs from JavaScript's UTF-16 `<` (U+E000 and U+FFFD sort
// before astral characters by code point, after them by code unit), plus SQL-looking text.
const USERS = ['a', 'B', '\u{E000}', '\u{1F600}', `'; DROP TABLE leases; --`];
const SESSIONS = ['s', 'S', '\u{FFFD}', '\u{1D11E}', 's2', '%_*'];

const withoutExpiry = (leases: LeaseInfo[]) => leases.map(({ expiresAt, ...rest }) => ({ ...rest, released: expiresAt === null }));

describe('listLeases', () => {
  it('orders keys by code point and pages by keyset exactly as MemoryEngine does', async ({ expect }) => {
    const sqlite = await open(new SqliteEngine({ path: ':memory:' }));
    const memory = await open(new MemoryEngine());
    const keys: SessionKey[] = USERS.flatMap((userId) => SESSIONS.map((sessionId) => ({ userId, sessionId })));
    for (const [i, key] of keys.entries()) {
      for (const engine of [sqlite, memory]) {
        const grant = await engine.acquireLease(key, { owner: `o${i}`, ttlMs: 60_000 });
        if (!grant.acquired) throw new Error('a fresh key was not granted');
        if (i % 3 === 0) await engine.releaseLease(grant.lease);
      }
    }

    for (const query of [{}, { held: true }, { held: false }, { userId: '\u{E000}' }, { userId: 'B', held: false }, { userId: 'nobody' }]) {
      const expected = withoutExpiry(await memory.listLeases({ ...query, limit: 1_000 }));
      expect(withoutExpiry(await sqlite.listLeases({ ...query, limit: 1_000 }))).toEqual(expected);
    }
    expect((await sqlite.listLeases({ limit: 1_000 })).length).toBe(keys.length);

    for (const userId of [undefined, ...USERS]) {
      const expected = withoutExpiry(await memory.listLeases({ userId, limit: 1_000 }));
      const paged: LeaseInfo[] = [];
      for (;;) {
        const page = await sqlite.listLeases({ userId, limit: 4, ...(paged.length > 0 ? { after: paged.at(-1)! } : {}) });
        paged.push(...page);
        if (page.length < 4) break;
      }
      expect(withoutExpiry(paged)).toEqual(expected);
    }

    // A keyset from another user: before it starts at the user's first lease, after it yields nothing.
    expect(withoutExpiry(await sqlite.listLeases({ userId: 'a', after: { userId: 'B', sessionId: 'zzz' } }))).toEqual(
      withoutExpiry(await memory.listLeases({ userId: 'a' })),
    );
    expect(await sqlite.listLeases({ userId: 'a', after: { userId: '\u{E000}', sessionId: 'a' } })).toEqual([]);
  });
});
