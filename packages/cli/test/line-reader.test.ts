import { ValidationError } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { readLines, type ReadLine } from '../src/line-reader.js';

async function read(chunks: Array<Uint8Array | string>, maxLineBytes = 1024, inspect?: () => { push(text: string): void; end(): void }): Promise<ReadLine[]> {
  const lines: ReadLine[] = [];
  async function* source(): AsyncGenerator<Uint8Array | string> {
    yield* chunks;
  }
  for await (const line of readLines(source(), { maxLineBytes, ...(inspect ? { inspect } : {}) })) lines.push(line);
  return lines;
}

function bytewise(text: string): Uint8Array[] {
  return [...Buffer.from(text, 'utf8')].map((byte) => Uint8Array.of(byte));
}

describe('readLines', () => {
  it('gives back every line exactly, when characters are split across chunks byte by byte', async () => {
    const text = '\uFEFF{"a":"ü😀"}\r\n\n\uFEFFsecond 𝄞\nlast without newline';
    expect(await read(bytewise(text))).toEqual([
      { number: 1, text: '{"a":"ü😀"}' },
      { number: 2, text: '' },
      // Only the file's BOM is dropped; U+FEFF elsewhere is data (and JSON.parse will refuse it).
      { number: 3, text: '\uFEFFsecond 𝄞' },
      { number: 4, text: 'last without newline' },
    ]);
  });

  it('refuses a line of invalid UTF-8 and goes on with the next one', async () => {
    const lines = await read([Buffer.from('ok\nbad '), Uint8Array.of(0xff, 0x0a), 'next\n']);
    expect(lines[0]).toEqual({ number: 1, text: 'ok' });
    expect(lines[1]).toMatchObject({ number: 2, error: expect.any(ValidationError) as unknown });
    expect((lines[1] as { error: Error }).error.message).toMatch(/is not valid UTF-8: bytes 5 to 5 of the line/);
    expect(lines[2]).toEqual({ number: 3, text: 'next' });
  });

  it('refuses a line over maxLineBytes once it passes them, and keeps counting lines after it', async () => {
    const lines = await read(['short\n', 'x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600), '\nafter\n'], 1000);
    expect(lines.map((line) => ('text' in line ? line.text : line.error.message))).toEqual([
      'short',
      expect.stringMatching(/is longer than 1000 bytes/),
      'after',
    ]);
  });

  it('stops holding a line once its inspector refuses it', async () => {
    let pushed = 0;
    const inspect = () => ({
      push(text: string) {
        pushed += text.length;
        if (text.includes('!')) throw new ValidationError('has a bang');
      },
      end() {},
    });
    const lines = await read(['a!', 'b'.repeat(100), 'c\nfine\n'], 1024, inspect);
    expect(lines.map((line) => ('text' in line ? line.text : line.error.message))).toEqual(['[sessions] has a bang', 'fine']);
    expect(pushed).toBe(2 + 4);
  });
});
