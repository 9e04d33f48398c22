import { describe, it, type ExpectStatic } from 'vitest';
import type { Message, Session, SessionKey, SessionManager } from '@sessions/core';
import { itNeeds, randomId, randomKey, rawOf, useEngine, type SuiteContext } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';

export interface LargeSessionOptions {
  /**
   * Messages in the large session. Default 100,000: a store must fork, export and import a
   * session that long (whole sessions go into one create, so an adapter that puts them in one
   * command or statement fails here). Lower it only for a backend where that takes too long.
   */
  largeSessionMessages?: number | undefined;
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

    // The fork and the import are made once too, so the raw-reader test checks the same copies without a second build.
    let forkCopy: Promise<Session> | undefined;
    const forked = () => (forkCopy ??= built().then(({ key }) => bulkManager(ctx).fork(key, { sessionId: randomId('fork') })));
    let importCopy: Promise<Session> | undefined;
    const imported = () =>
      (importCopy ??= built().then(async ({ key }) => {
        const manager = bulkManager(ctx);
        const exported = await manager.export(key);
        if (exported.messages.length !== count) throw new Error(`export of a ${count}-message session returned ${exported.messages.length} messages`);
        return manager.import({ ...exported, session: { ...exported.session, ...randomKey() } });
      }));

    it('forks the whole session with every message exactly', async ({ expect }) => {
      const { key, messages } = await built();
      const fork = await forked();
      expect(fork, 'fork must copy every message and record its parent').toMatchObject({
        messageCount: count,
        lastSeq: count,
        parentSessionId: key.sessionId,
        parentSeq: count,
      });
      expectSameMessages(expect, await bulkManager(ctx).messages(fork), messages);
    });

    it('exports and imports the whole session with every message exactly', async ({ expect }) => {
      const { messages } = await built();
      const copy = await imported();
      expect(copy, 'import must store every exported message').toMatchObject({ messageCount: count, lastSeq: count });
      expectSameMessages(expect, await bulkManager(ctx).messages(copy), messages);
    });

    itNeeds(init, ['raw reader'], 'the store holds every message of the fork and of the import', async ({ expect }) => {
      const { messages } = await built();
      const raw = rawOf(ctx);
      for (const copy of [await forked(), await imported()]) {
        expect(await raw.session(copy), 'createSession must record the count and last seq of what it stored').toMatchObject({
          messageCount: count,
          lastSeq: count,
        });
        const stored = await raw.messages(copy);
        expect(stored, 'createSession must store every message').toHaveLength(count);
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
      if (mismatches.length < 5)
        mismatches.push(
          `#${i}: got seq ${message.seq} id ${message.id} ${JSON.stringify(message.content)}, want seq ${want.seq} id ${want.id} ${JSON.stringify(want.content)}`,
        );
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
