import { LockHeldError, MemoryEngine, SessionManager, ValidationError } from '@sessions/core';
import { convertToModelMessages, tool, type UIMessage } from 'ai';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAgent, fromUIMessages, loadUIMessages, saveUIMessages, toUIMessages } from '../src/index.js';
import { scriptedModel } from './support/scripted-model.js';

const chat: UIMessage[] = [
  { id: 'sys', role: 'system', parts: [{ type: 'text', text: 'Be kind.' }] },
  {
    id: 'u1',
    role: 'user',
    metadata: { createdAt: 1_700_000_000_000, locale: 'fr-CH' },
    parts: [
      { type: 'text', text: 'Météo à Zürich ? 🌦️' },
      { type: 'file', mediaType: 'image/png', filename: 'map.png', url: 'data:image/png;base64,iVBORw0KGgo=' },
    ],
  },
  {
    id: 'a1',
    role: 'assistant',
    metadata: { model: 'gpt-x' },
    parts: [
      { type: 'step-start' },
      { type: 'reasoning', text: 'Need the weather.', state: 'done', providerMetadata: { anthropic: { signature: 's' } } },
      {
        type: 'tool-weather',
        toolCallId: 'call_1',
        state: 'output-available',
        input: { city: 'Zürich' },
        output: { forecast: 'rain' },
        callProviderMetadata: { openai: { itemId: 'x' } },
      },
      { type: 'dynamic-tool', toolName: 'lookup', toolCallId: 'call_2', state: 'output-error', input: { q: 1 }, errorText: 'failed' },
      { type: 'step-start' },
      { type: 'text', text: 'It rains.', state: 'done' },
      { type: 'source-url', sourceId: 'src1', url: 'https://meteo.example', title: 'Meteo' },
      { type: 'data-weather', id: 'd1', data: { temperature: 12 } },
    ],
  },
];

describe('UI messages', () => {
  let sessions: SessionManager;
  const key = { userId: 'u1', sessionId: 'chat_1' };

  beforeEach(async () => {
    const engine = new MemoryEngine();
    await engine.setup();
    sessions = new SessionManager({ engine });
  });

  it('round-trips UI messages exactly, tool parts, data parts and message metadata included', async () => {
    await saveUIMessages(sessions, key, chat);
    expect(await loadUIMessages(sessions, key)).toEqual(chat);
    const stored = await sessions.messages(key);
    expect(stored.map((m) => m.id)).toEqual(['sys', 'u1', 'a1']);
    expect(stored[2]!.toolCalls).toEqual([
      { toolCallId: 'call_1', toolName: 'weather', input: { city: 'Zürich' } },
      { toolCallId: 'call_2', toolName: 'lookup', input: { q: 1 } },
    ]);
  });

  it('keeps an id that cannot be a stored id, such as an empty one', async () => {
    const odd: UIMessage[] = [{ id: '', role: 'assistant', parts: [{ type: 'text', text: 'hi' }] }];
    await saveUIMessages(sessions, key, odd);
    expect(await loadUIMessages(sessions, key)).toEqual(odd);
    expect(toUIMessages(await sessions.messages(key))).toEqual(odd);
    expect(fromUIMessages(odd)[0]!.id).toBeUndefined();
  });

  it('appends only the new messages when the stored ones are a prefix', async () => {
    expect(await saveUIMessages(sessions, key, chat.slice(0, 2))).toEqual({ written: 2, replaced: false });
    const before = await sessions.messages(key);
    expect(await saveUIMessages(sessions, key, chat)).toEqual({ written: 1, replaced: false });
    const after = await sessions.messages(key);
    expect(after.slice(0, 2)).toEqual(before);
    expect(after.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(await saveUIMessages(sessions, key, chat)).toEqual({ written: 0, replaced: false });
  });

  it('replaces the conversation when an earlier message changed, keeping the unchanged ones as stored', async () => {
    await saveUIMessages(sessions, key, chat);
    const [sys, u1] = await sessions.messages(key);
    const regenerated: UIMessage[] = [...chat.slice(0, 2), { id: 'a2', role: 'assistant', parts: [{ type: 'text', text: 'Sunny, actually.' }] }];
    expect(await saveUIMessages(sessions, key, regenerated)).toEqual({ written: 1, replaced: true });
    expect(await loadUIMessages(sessions, key)).toEqual(regenerated);
    const stored = await sessions.messages(key);
    // The unchanged prefix is never rewritten: same rows, seq and timestamps included; seq 3 is not reused.
    expect(stored.slice(0, 2)).toEqual([sys, u1]);
    expect(stored.map((m) => m.seq)).toEqual([1, 2, 4]);

    expect(await saveUIMessages(sessions, key, chat.slice(0, 1))).toEqual({ written: 0, replaced: true });
    expect(await loadUIMessages(sessions, key)).toEqual(chat.slice(0, 1));
  });

  it('rewrites with one truncate after the unchanged prefix, so a crash before the append leaves that prefix', async () => {
    await saveUIMessages(sessions, key, chat);
    const before = await sessions.messages(key);
    const truncates: number[] = [];
    const crashing = new Proxy(sessions.engine, {
      get(target, property) {
        // The append after the truncate fails, as if the process died between the two writes.
        if (property === 'appendMessages')
          return async () => {
            throw new Error('crashed');
          };
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const failing = new SessionManager({ engine: crashing });
    const off = failing.on('session', (event) => {
      if (event.type === 'truncated') truncates.push(event.afterSeq!);
    });
    const edited: UIMessage[] = [chat[0]!, { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'And tomorrow?' }] }];
    await expect(saveUIMessages(failing, key, edited)).rejects.toThrow('crashed');
    off();
    expect(truncates).toEqual([1]);
    expect(await sessions.messages(key)).toEqual(before.slice(0, 1));
    expect(await saveUIMessages(sessions, key, edited)).toEqual({ written: 1, replaced: false });
    expect(await loadUIMessages(sessions, key)).toEqual(edited);
  });

  it('saves under the session lease: a busy session is refused or waited for', async () => {
    await saveUIMessages(sessions, key, chat.slice(0, 1));
    const lease = await sessions.acquire(key);
    await expect(saveUIMessages(sessions, key, chat)).rejects.toBeInstanceOf(LockHeldError);
    const waiting = saveUIMessages(sessions, key, chat, { waitMs: 5_000 });
    setTimeout(() => void sessions.release(lease), 50);
    await expect(waiting).resolves.toEqual({ written: 2, replaced: false });
  });

  it('saves more messages than one append takes, in order', async () => {
    const many: UIMessage[] = Array.from({ length: 1_500 }, (_, i) => ({
      id: `m${i}`,
      role: i % 2 === 0 ? 'user' : 'assistant',
      parts: [{ type: 'text', text: `message ${i}` }],
    }));
    expect(await saveUIMessages(sessions, key, many)).toEqual({ written: 1_500, replaced: false });
    expect(await loadUIMessages(sessions, key)).toEqual(many);
  });

  it('refuses what is not a SessionManager, a session key, UI messages or stored messages with a ValidationError naming the argument', async () => {
    const refusals: [() => Promise<unknown>, RegExp][] = [
      [() => saveUIMessages({} as never, key, chat), /sessions: must be a SessionManager/],
      [() => saveUIMessages(sessions, null as never, chat), /key: expected \{ userId, sessionId \}, got null/],
      [() => saveUIMessages(sessions, 'chat_1' as never, chat), /key: expected \{ userId, sessionId \}/],
      [() => saveUIMessages(sessions, key, 'hello' as never), /messages: expected an array of UI messages/],
      [() => saveUIMessages(sessions, key, chat, null as never), /options: expected \{ waitMs\?, signal\? \}/],
      [() => loadUIMessages(undefined as never, key), /sessions: must be a SessionManager/],
      [() => loadUIMessages(sessions, undefined as never), /key: expected \{ userId, sessionId \}/],
    ];
    for (const [call, message] of refusals) {
      await expect(call()).rejects.toBeInstanceOf(ValidationError);
      await expect(call()).rejects.toThrow(message);
    }
    expect(await sessions.get(key)).toBeNull();

    expect(() => toUIMessages(null as never)).toThrow(/messages: expected an array of stored messages/);
    expect(() => toUIMessages([{ id: 'm', role: 'user', content: 'hi' }] as never)).toThrow(/messages\[0\]\.metadata: must be an object/);
    expect(() => toUIMessages([{ id: 7, role: 'user', content: 'hi', metadata: {} }] as never)).toThrow(/messages\[0\]\.id: must be a string/);
    expect(() => toUIMessages(['hi'] as never)).toThrow(ValidationError);
  });

  it('turns UI messages into message inputs and back without a store', () => {
    expect(toUIMessages(fromUIMessages([...chat, { id: '', role: 'user', parts: [{ type: 'text', text: 'no id' }] }]) as never)).toEqual([
      ...chat,
      { id: '', role: 'user', parts: [{ type: 'text', text: 'no id' }] },
    ]);
  });

  it('loads an empty list for a session that does not exist', async () => {
    expect(await loadUIMessages(sessions, { userId: 'nobody', sessionId: 'none' })).toEqual([]);
  });

  it('shows an agent turn with tools as one assistant UI message that the SDK converts back to the same model messages', async () => {
    const weather = tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, forecast: 'sunny' }) });
    const model = scriptedModel((prompt) =>
      prompt.at(-1)!.role === 'tool'
        ? { text: 'Sunny in Paris.' }
        : { reasoning: 'Check.', text: 'Checking.', toolCalls: [{ toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } }] },
    );
    const result = await createAgent({ model, sessions, tools: { weather } }).run(key, 'Weather?');
    const stored = await sessions.messages(key);
    const ui = await loadUIMessages(sessions, key);

    expect(ui).toEqual([
      { id: stored[0]!.id, role: 'user', parts: [{ type: 'text', text: 'Weather?' }] },
      {
        id: stored[1]!.id,
        role: 'assistant',
        parts: [
          { type: 'step-start' },
          { type: 'reasoning', text: 'Check.', state: 'done' },
          { type: 'text', text: 'Checking.', state: 'done' },
          { type: 'tool-weather', toolCallId: 'call_1', state: 'output-available', input: { city: 'Paris' }, output: { city: 'Paris', forecast: 'sunny' } },
          { type: 'step-start' },
          { type: 'text', text: 'Sunny in Paris.', state: 'done' },
        ],
      },
    ]);
    const model2 = await convertToModelMessages(ui, { tools: { weather } });
    expect(JSON.parse(JSON.stringify(model2.slice(1)))).toEqual(JSON.parse(JSON.stringify(result.responseMessages)));
    // Saving the list a client got from loadUIMessages changes nothing.
    expect(await saveUIMessages(sessions, key, ui)).toEqual({ written: 0, replaced: false });
  });
});
