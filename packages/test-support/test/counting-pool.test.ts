import { describe, it } from 'vitest';
import { countingPool } from '../src/index.js';

/** A driver-shaped fake: a pool with query/connect/end and connections with query/release. */
function fakePool() {
  const released: boolean[] = [];
  return {
    released,
    ended: false,
    async query(config: { text: string }) {
      return { rows: [{ text: config.text }] };
    },
    async connect() {
      return {
        query: async (config: { text: string }) => ({ rows: [{ text: config.text }] }),
        release: (destroy?: boolean) => released.push(destroy === true),
      };
    },
    async end() {
      this.ended = true;
    },
  };
}

describe('countingPool', () => {
  it('logs statements sent on the pool and on checked-out connections, and passes everything else through', async ({ expect }) => {
    const inner = fakePool();
    const pool = countingPool(inner, { sends: ['query'], checkouts: ['connect'] });
    expect(await pool.query({ text: 'SELECT 1' })).toEqual({ rows: [{ text: 'SELECT 1' }] });
    const client = await pool.connect();
    await client.query({ text: 'BEGIN' });
    client.release(true);
    await pool.end();
    expect(pool.sent).toEqual([{ text: 'SELECT 1' }, { text: 'BEGIN' }]);
    expect(inner.released).toEqual([true]);
    expect(inner.ended).toBe(true);
  });

  it('records what `record` picks from the statement and its values', async ({ expect }) => {
    const pool = countingPool(fakePool(), {
      sends: ['query'],
      checkouts: ['connect'],
      record: (statement, values) => [(statement as { text: string }).text, values],
    });
    await (pool.query as (config: { text: string }, values: unknown[]) => Promise<unknown>)({ text: 'SELECT $1' }, [7]);
    expect(pool.sent).toEqual([['SELECT $1', [7]]]);
  });

  it('counts what one piece of code sends, and records what `record` picks', async ({ expect }) => {
    const pool = countingPool(fakePool(), { sends: ['query'], checkouts: ['connect'], record: (statement) => (statement as { text: string }).text });
    expect(
      await pool.count(async () => {
        const client = await pool.connect();
        await client.query({ text: 'BEGIN' });
        await client.query({ text: 'COMMIT' });
        client.release();
      }),
    ).toBe(2);
    expect(pool.sent).toEqual(['BEGIN', 'COMMIT']);
    pool.sent.length = 0;
    expect(await pool.count(() => pool.query({ text: 'SELECT 2' }))).toBe(1);
  });
});
