import type { AgentInputItem } from '@openai/agents-core';
import { ValidationError } from '@sessions/core';
import { describe, expect, it } from 'vitest';
import { interpret } from '../src/history.js';
import { itemToMessage, METADATA_KEY } from '../src/index.js';
import { itemCatalogue } from './support/items.js';
import { stored } from './support/stored.js';

function roundTrip(item: AgentInputItem): AgentInputItem {
  const entry = interpret(stored(itemToMessage(item, 'item'), 1));
  if (entry.kind !== 'item') throw new Error(`expected an item, got ${entry.kind}`);
  return entry.item;
}

describe('storing one Agents SDK item as one message', () => {
  it.each(itemCatalogue().map((item) => [item.type ?? 'message (no type)', item] as const))(
    'gives back a %s item exactly, through JSON storage',
    (_type, item) => {
      expect(roundTrip(item)).toStrictEqual(item);
    },
  );

  it('gives back byte arrays as Uint8Array with the same bytes', () => {
    const item = itemCatalogue().find((candidate) => candidate.type === 'function_call_result' && candidate.callId === 'call_img')!;
    const back = roundTrip(item) as { output: { image: { data: unknown } } };
    expect(back.output.image.data).toBeInstanceOf(Uint8Array);
    expect([...(back.output.image.data as Uint8Array)]).toEqual([0, 1, 2, 250, 255]);
  });

  it('keeps a large byte array exactly', () => {
    const data = new Uint8Array(65_536).map((_, i) => (i * 7) % 256);
    const item = {
      type: 'function_call_result',
      callId: 'c',
      name: 'n',
      status: 'completed',
      output: { type: 'file', file: { data, mediaType: 'application/octet-stream', filename: 'a.bin' } },
    } as AgentInputItem;
    expect(roundTrip(item)).toStrictEqual(item);
  });

  it('maps user, system and assistant messages to their role and keeps their content readable', () => {
    const [system, user] = itemCatalogue();
    expect(itemToMessage(system!, 'item')).toMatchObject({
      role: 'system',
      content: (system as { content: string }).content,
      toolCalls: null,
      toolCallId: null,
    });
    expect(itemToMessage(user!, 'item')).toMatchObject({ role: 'user', content: 'no type field, plain string' });
    const assistant = itemToMessage({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'hi' }] }, 'item');
    expect(assistant).toMatchObject({ role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] });
  });

  it('stores a message body once: in content, not again in the metadata', () => {
    const message = itemToMessage({ type: 'message', role: 'user', content: 'x'.repeat(1000) }, 'item');
    expect(JSON.stringify(message.metadata).length).toBeLessThan(200);
  });

  it('records a function call as an assistant message with toolCalls', () => {
    const message = itemToMessage({ type: 'function_call', callId: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' }, 'item');
    expect(message).toMatchObject({
      role: 'assistant',
      content: '',
      name: 'get_weather',
      toolCalls: [{ id: 'call_1', type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      toolCallId: null,
    });
  });

  it('records a function result as a tool message with toolCallId and its output as content', () => {
    const text = itemToMessage({ type: 'function_call_result', callId: 'call_1', name: 'get_weather', status: 'completed', output: 'sunny' }, 'item');
    expect(text).toMatchObject({ role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: 'sunny', toolCalls: null });
    const structured = itemToMessage(
      { type: 'function_call_result', callId: 'call_2', name: 'w', status: 'completed', output: { type: 'text', text: 'sunny' } },
      'item',
    );
    expect(structured).toMatchObject({ role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: 'sunny' }] });
  });

  it('records other tool calls and their outputs with the call id', () => {
    const [call, result] = itemCatalogue().filter((item) => item.type === 'computer_call' || item.type === 'computer_call_result');
    expect(itemToMessage(call!, 'item')).toMatchObject({
      role: 'assistant',
      toolCalls: [{ id: 'call_cmp', type: 'computer_call', name: null, arguments: null }],
    });
    expect(itemToMessage(result!, 'item')).toMatchObject({ role: 'tool', toolCallId: 'call_cmp' });
  });

  it('fills the readable columns for every kind of tool call and output, tool search items with call_id included', () => {
    const columns = itemCatalogue()
      .filter(
        (item) => item.type !== undefined && item.type !== 'message' && item.type !== 'reasoning' && item.type !== 'compaction' && item.type !== 'unknown',
      )
      .map((item) => {
        const { role, toolCalls, toolCallId } = itemToMessage(item, 'item');
        return { type: item.type, role, call: toolCalls?.[0] ?? null, toolCallId };
      });
    expect(
      columns.filter(({ type }) => !['function_call', 'function_call_result', 'computer_call', 'computer_call_result', 'hosted_tool_call'].includes(type!)),
    ).toEqual([
      { type: 'program', role: 'assistant', call: { id: 'call_prog', type: 'program', name: null, arguments: null }, toolCallId: null },
      { type: 'program_output', role: 'tool', call: null, toolCallId: 'call_prog' },
      { type: 'tool_search_call', role: 'assistant', call: { id: 'call_ts', type: 'tool_search_call', name: null, arguments: null }, toolCallId: null },
      { type: 'tool_search_output', role: 'tool', call: null, toolCallId: 'call_ts' },
      { type: 'tool_search_call', role: 'assistant', call: { id: null, type: 'tool_search_call', name: null, arguments: null }, toolCallId: null },
      { type: 'shell_call', role: 'assistant', call: { id: 'call_sh', type: 'shell_call', name: null, arguments: null }, toolCallId: null },
      { type: 'shell_call_output', role: 'tool', call: null, toolCallId: 'call_sh' },
      { type: 'apply_patch_call', role: 'assistant', call: { id: 'call_ap', type: 'apply_patch_call', name: null, arguments: null }, toolCallId: null },
      { type: 'apply_patch_call_output', role: 'tool', call: null, toolCallId: 'call_ap' },
      { type: 'apply_patch_call_output', role: 'tool', call: null, toolCallId: 'call_ap2' },
    ]);
    for (const { role, call, toolCallId } of columns) {
      if (role === 'assistant') expect(call).not.toBeNull();
      else expect(toolCallId).not.toBeNull();
    }
  });

  it('stores reasoning and unknown items as assistant messages without text content', () => {
    for (const item of itemCatalogue().filter((candidate) => candidate.type === 'reasoning' || candidate.type === 'unknown')) {
      expect(itemToMessage(item, 'item')).toMatchObject({ role: 'assistant', content: '', toolCalls: null });
    }
  });

  it('leaves the name and call id columns empty when core could not store them, and still keeps them in the item', () => {
    const item = { type: 'function_call', callId: 'c'.repeat(300), name: 'bad\u0007name', arguments: '{}', status: 'completed' } as AgentInputItem;
    expect(itemToMessage(item, 'item')).toMatchObject({ name: null, toolCalls: [{ id: 'c'.repeat(300) }] });
    expect(roundTrip(item)).toStrictEqual(item);
  });

  it.each([
    ['a function', { role: 'user', content: 'x', providerData: { f: () => 1 } }, 'items[3].providerData.f'],
    ['a Date', { role: 'user', content: 'x', providerData: { at: new Date(0) } }, 'items[3].providerData.at'],
    ['NaN', { role: 'user', content: 'x', providerData: { n: Number.NaN } }, 'items[3].providerData.n'],
    ['a lone surrogate', { role: 'user', content: 'x\ud800' }, 'items[3].content'],
  ])('rejects an item holding %s with a ValidationError naming where', (_what, item, path) => {
    let caught: unknown;
    try {
      itemToMessage(item as AgentInputItem, 'items[3]');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).path).toBe(path);
  });

  it('rejects an item that is not an object', () => {
    expect(() => itemToMessage('hello' as unknown as AgentInputItem, 'items[0]')).toThrow(ValidationError);
  });

  it('refuses to read a message written by a newer format, saying to upgrade', () => {
    const message = stored({ role: 'user', content: 'x', metadata: { [METADATA_KEY]: { v: 2, item: {} } } }, 1);
    expect(() => interpret(message)).toThrow(/newer @sessions\/openai-agents.*upgrade/);
  });

  it('refuses to read a marker that was tampered with', () => {
    const message = stored({ role: 'user', content: 'x', metadata: { [METADATA_KEY]: { v: 1, item: 'nope' } } }, 1);
    expect(() => interpret(message)).toThrow(ValidationError);
  });
});

describe('reading messages that other tools wrote', () => {
  it('reads user, system and assistant text as message items', () => {
    expect(interpret(stored({ role: 'user', content: 'hello' }, 1))).toEqual({ kind: 'item', item: { type: 'message', role: 'user', content: 'hello' } });
    expect(
      interpret(
        stored(
          {
            role: 'system',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
          1,
        ),
      ),
    ).toEqual({
      kind: 'item',
      item: { type: 'message', role: 'system', content: 'a\nb' },
    });
    expect(
      interpret(
        stored(
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'hi' },
              { type: 'tool-call', toolCallId: 'x' },
            ],
          },
          1,
        ),
      ),
    ).toEqual({
      kind: 'item',
      item: { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'hi' }] },
    });
    expect(
      interpret(
        stored(
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'image', image: 'x' },
            ],
          },
          1,
        ),
      ),
    ).toEqual({
      kind: 'item',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'a' }] },
    });
  });

  it('skips tool results and messages without text, which have no safe item form', () => {
    expect(interpret(stored({ role: 'tool', content: 'result', toolCallId: 'c' }, 1))).toEqual({ kind: 'none' });
    expect(interpret(stored({ role: 'assistant', content: '', toolCalls: [{ id: 'c' }] }, 1))).toEqual({ kind: 'none' });
  });
});
