import type { AgentInputItem } from '@openai/agents-core';
import type { Message, MessagesQuery } from '@sessions/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { liveItems, topItem } from '../src/history.js';
import { itemsFromMessages, itemToMessage } from '../src/index.js';
import { legacyTombstone } from './support/legacy-tombstone.js';
import { stored } from './support/stored.js';

type Op = { kind: 'add'; text: string } | { kind: 'pop'; hint?: 'fresh' | 'stale' } | { kind: 'foreign'; text: string } | { kind: 'tool' };

/** The seqs of the live items after the first `count` operations, by the forward stack replay. */
function liveSeqs(ops: readonly Op[], count: number): number[] {
  const stack: number[] = [];
  ops.slice(0, count).forEach((op, i) => {
    if (op.kind === 'add' || op.kind === 'foreign') stack.push(i + 1);
    if (op.kind === 'pop') stack.pop();
  });
  return stack;
}

/**
 * Builds a message log from operations, as the store would number it (message ids are
 * `msg_<seq>`). A `fresh` hint is what popItem records when nothing lands between its read
 * and its tombstone; a `stale` one was taken two messages earlier, as when concurrent writes
 * land in between, and readers must not trust it.
 */
function log(ops: readonly Op[]): Message[] {
  return ops.map((op, i) => {
    const seq = i + 1;
    switch (op.kind) {
      case 'add':
        return stored(itemToMessage({ type: 'message', role: 'user', content: op.text }, 'item'), seq);
      case 'pop': {
        const seen = op.hint === 'stale' ? i - 2 : i;
        const top = seen >= 1 ? liveSeqs(ops, seen).at(-1) : undefined;
        return stored(legacyTombstone(op.hint && top !== undefined ? { deadFrom: top, prevId: `msg_${seen}` } : undefined), seq);
      }
      case 'foreign':
        return stored({ role: 'assistant', content: op.text }, seq);
      case 'tool':
        return stored({ role: 'tool', content: "a result in another tool's shape", toolCallId: 'c' }, seq);
    }
  });
}

/** `SessionManager.messages` over an in-memory log, counting the reads. */
function reader(messages: Message[], reads: MessagesQuery[] = []) {
  return async (query: MessagesQuery): Promise<Message[]> => {
    reads.push(query);
    let range = messages.filter((m) => (query.afterSeq === undefined || m.seq > query.afterSeq) && (query.beforeSeq === undefined || m.seq < query.beforeSeq));
    if (query.last !== undefined) range = range.slice(Math.max(0, range.length - query.last));
    if (query.limit !== undefined) range = range.slice(0, query.limit);
    return range;
  };
}

/** The reference: the SDK's MemorySession semantics, an array with push and pop. */
function reference(ops: readonly Op[]): string[] {
  const stack: string[] = [];
  for (const op of ops) {
    if (op.kind === 'add' || op.kind === 'foreign') stack.push(op.text);
    else if (op.kind === 'pop') stack.pop();
  }
  return stack;
}

const texts = (items: AgentInputItem[]) =>
  items.map((item) => {
    const content = (item as { content: string | { text: string }[] }).content;
    return typeof content === 'string' ? content : content[0]!.text;
  });

const ops = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 4 }).map((text): Op => ({ kind: 'add', text })) },
    {
      weight: 4,
      arbitrary: fc.constantFrom<Op>({ kind: 'pop' }, { kind: 'pop', hint: 'fresh' }, { kind: 'pop', hint: 'fresh' }, { kind: 'pop', hint: 'stale' }),
    },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 4 }).map((text): Op => ({ kind: 'foreign', text })) },
    { weight: 1, arbitrary: fc.constant<Op>({ kind: 'tool' }) },
  ),
  { maxLength: 60 },
);

describe('replaying the message log as an item history', () => {
  it('matches a push/pop stack for any sequence of adds and pops (itemsFromMessages)', () => {
    fc.assert(
      fc.property(ops, (sequence) => {
        expect(texts(itemsFromMessages(log(sequence)))).toEqual(reference(sequence));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the newest N live items, read newest first, equal to the full replay for every N', async () => {
    await fc.assert(
      fc.asyncProperty(ops, fc.integer({ min: 1, max: 70 }), async (sequence, limit) => {
        const messages = log(sequence);
        expect(texts(await liveItems(reader(messages), limit))).toEqual(reference(sequence).slice(-limit));
        expect(texts(await liveItems(reader(messages), undefined))).toEqual(reference(sequence));
      }),
      { numRuns: 300 },
    );
  });

  it('finds as the top item the one the stack replay would pop, so deleting from its seq on pops exactly it', async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (sequence) => {
        const messages = log(sequence);
        const expected = reference(sequence);
        const top = await topItem(reader(messages));
        if (expected.length === 0) {
          expect(top).toBeUndefined();
        } else {
          expect(texts([top!.item])).toEqual(expected.slice(-1));
          expect(texts(itemsFromMessages(messages.filter((m) => m.seq < top!.seq)))).toEqual(expected.slice(0, -1));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads only the last pages it needs from a long log', async () => {
    const sequence: Op[] = Array.from({ length: 5_000 }, (_, i) => ({ kind: 'add', text: `m${i}` }));
    sequence.push({ kind: 'pop' }, { kind: 'pop' });
    const reads: MessagesQuery[] = [];
    expect(texts(await liveItems(reader(log(sequence), reads), 10))).toEqual(Array.from({ length: 10 }, (_, i) => `m${4988 + i}`));
    expect(reads).toEqual([{ last: 14 }]);
  });

  it('jumps over a long run of pops that recorded what they saw, in one read', async () => {
    const sequence: Op[] = [
      ...Array.from({ length: 1_000 }, (_, i): Op => ({ kind: 'add', text: `m${i}` })),
      ...Array.from({ length: 500 }, (): Op => ({ kind: 'pop', hint: 'fresh' })),
    ];
    const reads: MessagesQuery[] = [];
    expect(texts(await liveItems(reader(log(sequence), reads), 2))).toEqual(['m498', 'm499']);
    expect(reads).toEqual([{ last: 6 }, { beforeSeq: 501, last: 12 }]);
  });

  it("does not trust a hint when another message landed between the pop's read and its tombstone", async () => {
    // The pop read [a, b] (b on top), then "c" landed, then the tombstone: it cancelled c, not b.
    const messages = log([
      { kind: 'add', text: 'a' },
      { kind: 'add', text: 'b' },
      { kind: 'add', text: 'c' },
      { kind: 'pop', hint: 'fresh' },
    ]);
    messages[3] = stored(legacyTombstone({ deadFrom: 2, prevId: 'msg_2' }), 4);
    expect(texts(await liveItems(reader(messages), 5))).toEqual(['a', 'b']);
  });

  it('doubles its page size while tombstones without hints keep it reading back', async () => {
    const sequence: Op[] = [
      ...Array.from({ length: 100 }, (_, i): Op => ({ kind: 'add', text: `m${i}` })),
      ...Array.from({ length: 50 }, (): Op => ({ kind: 'pop' })),
    ];
    const reads: MessagesQuery[] = [];
    expect(texts(await liveItems(reader(log(sequence), reads), 2))).toEqual(['m48', 'm49']);
    expect(reads.map((read) => read.last)).toEqual([6, 12, 24, 48, 96]);
  });
});
