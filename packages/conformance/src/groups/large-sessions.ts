import { describe, it, type ExpectStatic } from 'vitest';
import type { Message, SessionKey, SessionManager } from '@sessions/core';
import { randomId, randomKey, useEngine, type SuiteContext } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';

export interface LargeSessionOptions {
  /**
   * Messages in the large session. Default 100,000: a store must fork, export and import a
   * session that long (whole sessions go into one create, so an adapter that puts them in one
   * command or statement fails here). Lower it only for a backend where that takes too long.
   */
  largeSessionMessages?: number;
}

/** Messages per append while the source session is built: few round trips, well within what a store must accept per call. */
const BATCH = 5_000;

/** The content of message `seq`: different for every message, and not only plain ASCII. */
const contentOf = (seq: number): string => `message ${seq} · ${seq % 7 === 0 ? 'ünïcødé ✓' : 'plain'}`;

/**
 * Sessions far larger than one write: a fork and an export→import of a session of 100,000
 * messages arrive with every message exactly (count, order, seq, id, content), all or nothing.
 */
export function largeSessionTests(init: ConformanceInitializer, options: LargeSessionOptions = {}): void {
  const count = options.largeSessionMessages ?? 100_000;
  describe(`sessions of ${count} messages`, () => {
    const ctx = useEngine(init);
    // Both tests read one source session, built once by whichever test runs first.
    let source: Promise<{ key: SessionKey; messages: Message[] }> | undefined;
    const built = () => (source ??= buildSource(ctx, count));

    it('forks the whole session with every message exactly', async ({ expect }) => {
      const { key, messages } = await built();
      const manager = bulkManager(ctx);
      const fork = await manager.fork(key, { sessionId: randomId('fork') });
      expect(fork).toMatchObject({ messageCount: count, lastSeq: count, parentSessionId: key.sessionId, parentSeq: count });
      expectSameMessages(expect, await manager.messages(fork), messages);
      if (ctx.raw) expect(await ctx.raw.session(fork)).toMatchObject({ messageCount: count, lastSeq: count });
    });

    it('exports and imports the whole session with every message exactly', async ({ expect }) => {
      const { key, messages } = await built();
      const manager = bulkManager(ctx);
      const exported = await manager.export(key);
      expect(exported.messages).toHaveLength(count);
      const copy = randomKey();
      const imported = await manager.import({ ...exported, session: { ...exported.session, ...copy } });
      expect(imported).toMatchObject({ ...copy, messageCount: count, lastSeq: count });
      expectSameMessages(expect, await manager.messages(copy), messages);
      if (ctx.raw) {
        const stored = await ctx.raw.messages(copy);
        expect(stored).toHaveLength(count);
        expect(stored.at(-1)).toMatchObject({ seq: count, id: messages.at(-1)!.id, content: contentOf(count) });
      }
    });
  });
}

function bulkManager(ctx: SuiteContext): SessionManager {
  return ctx.manager({ limits: { maxMessagesPerAppend: BATCH } });
}

async function buildSource(ctx: SuiteContext, count: number): Promise<{ key: SessionKey; messages: Message[] }> {
  const manager = bulkManager(ctx);
  const key = randomKey();
  await manager.create(key);
  const messages: Message[] = [];
  for (let first = 1; first <= count; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - first + 1) }, (_, i) => ({
      role: (first + i) % 2 === 1 ? ('user' as const) : ('assistant' as const),
      content: contentOf(first + i),
    }));
    messages.push(...(await manager.append(key, batch)));
  }
  return { key, messages };
}

/** Every message, compared field by field in one pass (a deep equal of 100,000 objects would dominate the run). */
function expectSameMessages(expect: ExpectStatic, actual: readonly Message[], expected: readonly Message[]): void {
  expect(actual).toHaveLength(expected.length);
  const first = actual[0]!;
  const last = actual.at(-1)!;
  expect(first).toMatchObject({ seq: 1, role: 'user', content: contentOf(1) });
  expect(last).toMatchObject({ seq: expected.length, content: contentOf(expected.length) });
  const mismatches: string[] = [];
  actual.forEach((message, i) => {
    const want = expected[i]!;
    if (message.seq !== i + 1 || message.content !== want.content || message.role !== want.role || message.id !== want.id) {
      if (mismatches.length < 5) mismatches.push(`#${i}: got seq ${message.seq} id ${message.id} ${JSON.stringify(message.content)}, want seq ${want.seq} id ${want.id} ${JSON.stringify(want.content)}`);
    }
  });
  expect(mismatches).toEqual([]);
  // A sample compared whole, every field included.
  const sample = new Set([0, 1, Math.floor(expected.length / 3), Math.floor(expected.length / 2), expected.length - 2, expected.length - 1]);
  for (const i of [...sample].filter((index) => index >= 0)) {
    const { sessionId: _actualSession, userId: _actualUser, ...rest } = actual[i]!;
    const { sessionId: _expectedSession, userId: _expectedUser, ...want } = expected[i]!;
    expect(rest).toEqual(want);
  }
}
