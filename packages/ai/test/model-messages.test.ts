import { MemoryEngine, SessionManager, ValidationError, type JsonObject } from '@sessions/core';
import { modelMessageSchema, type ModelMessage } from 'ai';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAgent, fromModelMessages, toModelMessages, toUIMessages } from '../src/index.js';
import { promptTexts, rememberingModel } from './support/scripted-model.js';

const bytes = new Uint8Array([0, 1, 2, 250, 255]);

/** One of every part the SDK's model messages can hold. */
const conversation: ModelMessage[] = [
  { role: 'system', content: 'You are terse. 🦊', providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } } },
  { role: 'user', content: 'Plain text with 𝄞 and "quotes" and \\ backslashes' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'Look at these' },
      { type: 'image', image: bytes, mediaType: 'image/png' },
      { type: 'image', image: new URL('https://example.com/cat.png') },
      { type: 'image', image: 'aGVsbG8=', mediaType: 'image/jpeg', providerOptions: { openai: { imageDetail: 'low' } } },
      { type: 'file', data: 'data:text/plain;base64,aGk=', mediaType: 'text/plain', filename: 'hi.txt' },
    ],
  },
  { role: 'assistant', content: 'A plain answer.' },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'Thinking…', providerOptions: { anthropic: { signature: 'sig' } } },
      { type: 'text', text: 'Calling tools.' },
      { type: 'file', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Zürich', days: [1, 2], nested: { deep: null } } },
      { type: 'tool-call', toolCallId: 'call_2', toolName: 'search', input: 'raw text input', providerExecuted: true },
      { type: 'tool-result', toolCallId: 'call_2', toolName: 'search', output: { type: 'json', value: { hits: 3 } } },
      { type: 'tool-approval-request', approvalId: 'appr_1', toolCallId: 'call_3' },
    ],
  },
  {
    role: 'tool',
    content: [
      { type: 'tool-result', toolCallId: 'call_1', toolName: 'weather', output: { type: 'json', value: { forecast: 'sunny', celsius: 21.5 } } },
      { type: 'tool-result', toolCallId: 'call_4', toolName: 'a', output: { type: 'text', value: 'ok' } },
      { type: 'tool-result', toolCallId: 'call_5', toolName: 'b', output: { type: 'error-text', value: 'boom' } },
      { type: 'tool-result', toolCallId: 'call_6', toolName: 'c', output: { type: 'error-json', value: { code: 7 } } },
      { type: 'tool-result', toolCallId: 'call_7', toolName: 'd', output: { type: 'execution-denied', reason: 'not allowed' } },
      {
        type: 'tool-result',
        toolCallId: 'call_8',
        toolName: 'e',
        output: {
          type: 'content',
          value: [
            { type: 'text', text: 'see' },
            { type: 'image-data', data: 'AAAA', mediaType: 'image/png' },
          ],
        },
      },
      { type: 'tool-approval-response', approvalId: 'appr_1', approved: false, reason: 'no' },
    ],
  },
];

describe('model message conversion', () => {
  let sessions: SessionManager;
  const key = { userId: 'u1', sessionId: 's1' };

  beforeEach(async () => {
    const engine = new MemoryEngine();
    await engine.setup();
    sessions = new SessionManager({ engine });
    await sessions.create(key);
  });

  it('gives back exactly the model messages it stored, every part type included', async () => {
    await sessions.append(key, fromModelMessages(conversation));
    const back = await toModelMessages(await sessions.messages(key));
    expect(back).toEqual(conversation);
    const userParts = back[2]!.content as { image?: unknown }[];
    expect(userParts[1]!.image).toBeInstanceOf(Uint8Array);
    expect([...(userParts[1]!.image as Uint8Array)]).toEqual([...bytes]);
    expect(userParts[2]!.image).toBeInstanceOf(URL);
  });

  it('keeps an ArrayBuffer an ArrayBuffer with the same bytes', async () => {
    const buffer = new Uint8Array([9, 8, 7]).buffer;
    await sessions.append(key, fromModelMessages([{ role: 'user', content: [{ type: 'file', data: buffer, mediaType: 'application/octet-stream' }] }]));
    const [message] = await toModelMessages(await sessions.messages(key));
    const data = (message!.content as { data: unknown }[])[0]!.data;
    expect(data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(data as ArrayBuffer)]).toEqual([9, 8, 7]);
  });

  it('stores plain JSON: binary data as tagged base64, tool calls also listed for other readers', async () => {
    const [user, , assistant, tool] = await sessions.append(key, fromModelMessages([conversation[2]!, conversation[3]!, conversation[4]!, conversation[5]!]));
    expect((user!.content as object[])[1]).toEqual({ type: 'image', image: { $sessionsData: 'uint8array', base64: 'AAEC+v8=' }, mediaType: 'image/png' });
    expect(assistant!.toolCalls).toEqual([
      { toolCallId: 'call_1', toolName: 'weather', input: { city: 'Zürich', days: [1, 2], nested: { deep: null } } },
      { toolCallId: 'call_2', toolName: 'search', input: 'raw text input' },
    ]);
    expect(tool!.toolCallId).toBeNull();
    const [single] = await sessions.append(
      key,
      fromModelMessages([{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c9', toolName: 'weather', output: { type: 'text', value: 'x' } }] }]),
    );
    expect(single).toMatchObject({ toolCallId: 'c9', name: 'weather' });
  });

  it('drops keys whose value is undefined, as JSON would', async () => {
    await sessions.append(key, fromModelMessages([{ role: 'assistant', content: [{ type: 'text', text: 'hi', providerOptions: undefined }] }]));
    const [message] = await sessions.messages(key);
    expect(message!.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(Object.keys((message!.content as object[])[0]!)).toEqual(['type', 'text']);
  });

  it('rejects what is not a model message with a ValidationError that names the place', () => {
    expect(() => fromModelMessages([{ role: 'robot', content: 'x' } as never])).toThrow(ValidationError);
    expect(() => fromModelMessages([{ role: 'user', content: 'ok' }, { role: 'user', content: [{ type: 'text' }] } as never])).toThrow(/messages\[1\]/);
    expect(() => fromModelMessages('nope' as never)).toThrow(ValidationError);
  });

  it('refuses what is not a list of stored messages with a ValidationError naming the place', async () => {
    await expect(toModelMessages('hello' as never)).rejects.toThrow(/messages: expected an array of stored messages/);
    await expect(toModelMessages([null] as never)).rejects.toThrow(/messages\[0\]: expected a stored message/);
    await expect(toModelMessages([{ role: 'robot', content: 'x', metadata: {} }] as never)).rejects.toThrow(/messages\[0\]\.role/);
    await expect(toModelMessages([{ role: 'user', content: 5, metadata: {} }] as never)).rejects.toThrow(/messages\[0\]\.content/);
    await expect(
      toModelMessages([
        { role: 'user', content: 'x', metadata: {} },
        { role: 'user', content: 'x' },
      ] as never),
    ).rejects.toThrow(/messages\[1\]\.metadata/);
    await expect(toModelMessages([{ role: 'user', content: 'x' }] as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('converts message inputs back without a store, as exact inverses', async () => {
    expect(await toModelMessages(fromModelMessages(conversation) as never)).toEqual(conversation);
  });

  it('reads messages other code stored in the OpenAI shape as tool calls and tool results', async () => {
    await sessions.append(key, [
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
      { role: 'tool', content: '{"found":true}', toolCallId: 'call_a', name: 'lookup' },
    ]);
    expect(await toModelMessages(await sessions.messages(key))).toEqual([
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_a', toolName: 'lookup', input: { q: 'x' } }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_a', toolName: 'lookup', output: { type: 'text', value: '{"found":true}' } }] },
    ]);
  });

  /** A conversation as @sessions/openai-agents stores Agents SDK items: Responses API parts, calls in its own toolCalls shape. */
  async function storeAgentsSdkConversation(): Promise<void> {
    const marker = (item: JsonObject): JsonObject => ({ openaiAgents: { v: 1, item } });
    await sessions.append(key, [
      { role: 'user', content: 'My name is Alice', metadata: marker({ type: 'message', role: 'user' }) },
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'and this is my cat' },
          { type: 'input_image', image: 'https://example.com/cat.png' },
        ],
        metadata: marker({ type: 'message', role: 'user' }),
      },
      { role: 'assistant', content: '', metadata: marker({ type: 'reasoning', content: [] }) },
      {
        role: 'assistant',
        content: '',
        name: 'lookup',
        toolCalls: [{ id: 'call_1', type: 'function_call', name: 'lookup', arguments: '{}' }],
        metadata: marker({ type: 'function_call' }),
      },
      { role: 'tool', content: 'found it', toolCallId: 'call_1', name: 'lookup', metadata: marker({ type: 'function_call_result' }) },
      {
        role: 'tool',
        content: [{ type: 'text', text: 'structured' }],
        toolCallId: 'call_1',
        name: 'lookup',
        metadata: marker({ type: 'function_call_result' }),
      },
      {
        role: 'assistant',
        content: [
          { type: 'output_text', text: 'Nice to meet you, Alice.' },
          { type: 'refusal', refusal: 'no' },
        ],
        metadata: marker({ type: 'message', role: 'assistant' }),
      },
    ]);
  }

  it('reads another tool’s parts as their text, and leaves out what has no text or answers a call it could not read', async () => {
    await storeAgentsSdkConversation();
    const read = await toModelMessages(await sessions.messages(key));
    expect(read).toEqual([
      { role: 'user', content: 'My name is Alice' },
      { role: 'user', content: [{ type: 'text', text: 'and this is my cat' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Nice to meet you, Alice.' }] },
    ]);
    expect(modelMessageSchema.array().safeParse(read).success).toBe(true);
  });

  it('lets an agent continue a conversation another tool stored in its own shape', async () => {
    await storeAgentsSdkConversation();
    const model = rememberingModel();
    const { text } = await createAgent({ model, sessions }).run(key, "What's my name?");
    expect(text).toBe('Your name is Alice.');
    expect(promptTexts(model.doGenerateCalls[0]!.prompt)).toEqual(['My name is Alice', 'and this is my cat', 'Nice to meet you, Alice.', "What's my name?"]);
    expect(toUIMessages(await sessions.messages(key)).slice(0, 3)).toMatchObject([
      { role: 'user', parts: [{ type: 'text', text: 'My name is Alice' }] },
      { role: 'user', parts: [{ type: 'text', text: 'and this is my cat' }] },
      { role: 'assistant', parts: [{ type: 'step-start' }, { type: 'text', text: 'Nice to meet you, Alice.', state: 'done' }] },
    ]);
  });

  it('leaves out an assistant message with nothing in it, which the SDK never writes and providers refuse', async () => {
    await sessions.append(key, [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: [] },
      { role: 'user', content: 'b' },
    ]);
    expect(await toModelMessages(await sessions.messages(key))).toEqual([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
  });

  it('leaves compaction summaries out of the conversation', async () => {
    await sessions.append(key, [
      { role: 'user', content: 'a' },
      { role: 'system', content: 'summary', metadata: { compaction: { upToSeq: 1 } } },
      { role: 'user', content: 'b' },
    ]);
    expect(await toModelMessages(await sessions.messages(key))).toEqual([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
  });
});
