import { describe, it } from 'vitest';
import { CHUNK_CHARS, CHUNK_MESSAGES, chunkMessages, type MessageTriple } from '../src/writes/chunk-messages.js';

const triple = (i: number, size = 10): MessageTriple => [`m${i}`, String(i + 1), 'x'.repeat(size)];

describe('chunkMessages', () => {
  it('keeps messages in order, in chunks of at most CHUNK_MESSAGES', ({ expect }) => {
    const triples = Array.from({ length: CHUNK_MESSAGES * 2 + 1 }, (_, i) => triple(i));
    const chunks = chunkMessages(triples);
    expect(chunks.map((chunk) => chunk.length)).toEqual([CHUNK_MESSAGES, CHUNK_MESSAGES, 1]);
    expect(chunks.flat()).toEqual(triples);
  });

  it('starts a new chunk before one would pass CHUNK_CHARS, and gives an oversized message a chunk of its own', ({ expect }) => {
    const third = Math.floor(CHUNK_CHARS / 3);
    const chunks = chunkMessages([triple(0, third), triple(1, third), triple(2, third), triple(3, CHUNK_CHARS * 2), triple(4)]);
    expect(chunks.map((chunk) => chunk.map(([id]) => id))).toEqual([['m0', 'm1'], ['m2'], ['m3'], ['m4']]);
  });

  it('makes no chunk of nothing', ({ expect }) => {
    expect(chunkMessages([])).toEqual([]);
  });
});
