import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startChatServer, type ChatServer } from '../src/chat-server.js';
import { configFromEnv, type ChatConfig } from '../src/config.js';
import { OfflineDemoModel } from '../src/offline-model.js';

// The HTTP API without a browser, on an in-memory store.

function start(overrides: Partial<ChatConfig> = {}, model: LanguageModelV3 = new OfflineDemoModel({ delayMs: 0 })): Promise<ChatServer> {
  const config = { ...configFromEnv({}), port: 0, sessionsUrl: 'memory:', ...overrides };
  return startChatServer(config, { model, modelLabel: 'Offline demo model (test)' });
}

let server: ChatServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server?.close());

async function call(
  path: string,
  { user = 'alice', method = 'GET', body, on = server }: { user?: string | null; method?: string; body?: string; on?: ChatServer } = {},
) {
  const response = await fetch(new URL(path, on.url), {
    method,
    headers: { ...(user === null ? {} : { 'x-chat-user': user }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function conversation(userId: string, turns: number, reply: (i: number) => string): Promise<string> {
  const { sessionId } = await server.sessions.create({ userId, title: 'A long one' });
  for (let start = 0; start < turns; start += 250) {
    const batch = [];
    for (let i = start; i < Math.min(turns, start + 250); i++)
      batch.push({ role: 'user' as const, content: `question ${i}` }, { role: 'assistant' as const, content: reply(i) });
    await server.sessions.append({ userId, sessionId }, batch);
  }
  return sessionId;
}

describe('malformed percent-encoding', () => {
  it('answers 400 with a clear message for a session id that is not valid percent-encoding', async () => {
    for (const [method, path] of [
      ['GET', '/api/sessions/%ZZ'],
      ['DELETE', '/api/sessions/%E0%A4%A'],
      ['POST', '/api/sessions/%ZZ/archive'],
    ] as const) {
      const result = await call(path, { method });
      expect(result.status, `${method} ${path}`).toBe(400);
      expect(result.json()).toEqual({ code: 'BAD_PATH', message: expect.stringMatching(/id in the address is not valid percent-encoding/) });
      expect(result.text).not.toMatch(/URIError|stack|INTERNAL/);
    }
  });

  it('answers 400 with a clear message for an x-chat-user header that is not valid percent-encoding', async () => {
    const result = await call('/api/sessions', { user: '%E0%A4%A' });
    expect(result.status).toBe(400);
    expect(result.json()).toEqual({ code: 'BAD_USER', message: expect.stringMatching(/x-chat-user header is not valid percent-encoding/) });
  });

  it('still decodes a well-formed encoded user name and session id', async () => {
    const { sessionId } = await server.sessions.create({ userId: 'zoë', sessionId: 'chat é' });
    const result = await call(`/api/sessions/${encodeURIComponent(sessionId)}`, { user: encodeURIComponent('zoë') });
    expect(result.status).toBe(200);
    expect(result.json()['session']).toMatchObject({ sessionId: 'chat é' });
  });

  it('answers 404 for a static file path that is not valid percent-encoding', async () => {
    const result = await call('/%ZZ.js', { user: null });
    expect(result.status).toBe(404);
    expect(result.json()).toEqual({ code: 'NOT_FOUND', message: 'Nothing here.' });
  });
});

describe('export and import', () => {
  it('exports compact JSON that imports again, for a conversation larger than the old 2 MB limit', async () => {
    const sessionId = await conversation('alice', 600, (i) => `answer ${i}: ${'the quick brown fox "jumps"\n'.repeat(150)}`);
    const exported = await call(`/api/sessions/${sessionId}/export`);
    expect(exported.status).toBe(200);
    expect(exported.text).not.toMatch(/\n\s/); // no indentation anywhere
    expect(Buffer.byteLength(exported.text)).toBeGreaterThan(2 * 1024 * 1024);

    const imported = await call('/api/import', { user: 'bob', method: 'POST', body: exported.text });

    expect(imported.status).toBe(201);
    const session = imported.json()['session'] as { sessionId: string; messageCount: number };
    expect(session.messageCount).toBe(1_200);
    const original = await server.sessions.messages({ userId: 'alice', sessionId });
    const copy = await server.sessions.messages({ userId: 'bob', sessionId: session.sessionId });
    expect(copy.map((message) => message.content)).toEqual(original.map((message) => message.content));
  });

  it('tells the page how large an import may be', async () => {
    const result = await call('/api/info', { user: null });
    expect(result.json()['maxImportBytes']).toBe(32 * 1024 * 1024);
  });

  it('refuses with 400 an imported message over the app limit of 256 KB, and stores nothing', async () => {
    const sessionId = await conversation('carol', 1, () => 'short');
    const file = (await call(`/api/sessions/${sessionId}/export`, { user: 'carol' })).json() as {
      session: Record<string, unknown>;
      messages: { content: string }[];
    };
    file.messages[1]!.content = 'x'.repeat(256 * 1024 + 1);

    const result = await call('/api/import', { user: 'dave', method: 'POST', body: JSON.stringify(file) });

    expect(result.status).toBe(400);
    expect(result.json()).toEqual({
      code: 'BAD_IMPORT',
      message: expect.stringMatching(
        /^That file cannot be imported: export\.messages\[1\]: is 26214\d bytes, over the limit of 262144 \(limits\.maxMessageBytes\)$/,
      ),
    });
    expect((await server.sessions.list({ userId: 'dave' })).sessions).toEqual([]);
  });

  it('refuses with 400 a file whose numbers or bytes cannot be stored exactly, instead of rounding or replacing them', async () => {
    const sessionId = await conversation('heidi', 1, () => 'hello');
    const text = (await call(`/api/sessions/${sessionId}/export`, { user: 'heidi' })).text;
    const bigInteger = text.replace('"metadata":{}', '"metadata":{"n":9007199254740993}');
    expect(bigInteger).not.toBe(text);

    const rounded = await call('/api/import', { user: 'ivan', method: 'POST', body: bigInteger });
    expect(rounded.status).toBe(400);
    expect(rounded.json()['message']).toMatch(/^That file cannot be imported: .*9007199254740993/);

    const invalidUtf8 = Buffer.concat([
      Buffer.from(text.slice(0, text.indexOf('hello'))),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(text.slice(text.indexOf('hello'))),
    ]);
    const response = await fetch(new URL('/api/import', server.url), {
      method: 'POST',
      headers: { 'x-chat-user': 'ivan', 'content-type': 'application/json' },
      body: invalidUtf8,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/not valid UTF-8/);
    expect((await server.sessions.list({ userId: 'ivan' })).sessions).toEqual([]);
  });

  it('refuses with 400 a file that is not a sessions export', async () => {
    const result = await call('/api/import', { method: 'POST', body: JSON.stringify({ format: 'something-else' }) });
    expect(result.status).toBe(400);
    expect(result.json()).toEqual({
      code: 'BAD_IMPORT',
      message: expect.stringMatching(/^That file cannot be imported: export\.format: not a sessions export/),
    });
  });

  it('refuses with 400 a file that is not JSON at all, saying so', async () => {
    for (const body of ['hello, this is not json', '\u0000\u0001\u00ff', '{"format": "sessions.export", ']) {
      const result = await call('/api/import', { method: 'POST', body });
      expect(result.status).toBe(400);
      expect(result.json()).toEqual({
        code: 'BAD_IMPORT',
        message: 'That file cannot be imported: it is not JSON, so it is not a conversation exported from this app.',
      });
    }
  });

  it("imports another user's export into the importing user's own list, never theirs", async () => {
    const sessionId = await conversation('frank', 1, () => 'hello');
    const file = (await call(`/api/sessions/${sessionId}/export`, { user: 'frank' })).json() as { session: Record<string, unknown> };

    const result = await call('/api/import', { user: 'grace', method: 'POST', body: JSON.stringify(file) });

    expect(result.status).toBe(201);
    expect((result.json()['session'] as { sessionId: string }).sessionId).toBe(sessionId);
    expect((await server.sessions.list({ userId: 'grace' })).sessions.map((session) => session.sessionId)).toEqual([sessionId]);
    expect((await server.sessions.list({ userId: 'frank' })).sessions.map((session) => session.sessionId)).toEqual([sessionId]);
    expect(await server.sessions.messages({ userId: 'frank', sessionId })).toHaveLength(2);
  });

  it('refuses with 413 a file over maxImportBytes', async () => {
    await using small = await start({ maxImportBytes: 1024 });
    const response = await fetch(new URL('/api/import', small.url), { method: 'POST', headers: { 'x-chat-user': 'alice' }, body: 'x'.repeat(2048) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ code: 'TOO_LARGE', message: 'The request is larger than 1 KB.' });
  });

  it('loads a conversation as the UI messages useChat holds, with the ids they streamed with', async () => {
    const { sessionId } = await server.sessions.create({ userId: 'erin' });
    const { chunks } = await chatTurn(sessionId, 'My name is Erin', { user: 'erin', messageId: 'msg_erin_1' });
    const start = chunks.find((chunk) => chunk['type'] === 'start') as { messageId: string };
    const result = await call(`/api/sessions/${sessionId}`, { user: 'erin' });
    const { messages } = result.json() as { messages: { id: string; role: string; parts: { type: string; text?: string }[] }[] };
    expect(messages.map((message) => [message.id, message.role])).toEqual([
      ['msg_erin_1', 'user'],
      [start.messageId, 'assistant'],
    ]);
    expect(messages[1]!.parts.filter((part) => part.type === 'text').map((part) => part.text)).toEqual(["Nice to meet you, Erin! I'll remember that."]);
  });
});

/** The new message as useChat sends it (see prepareSendMessagesRequest in web/chat/use-conversation.ts). */
function chatBody(sessionId: string, text: string, messageId = `msg_${Math.random().toString(36).slice(2)}`, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ id: sessionId, message: { id: messageId, role: 'user', parts: [{ type: 'text', text }] }, ...extra });
}

/** Reads a UI message stream (server-sent events) into its chunks. */
function sseChunks(text: string): Record<string, unknown>[] {
  return text
    .split('\n\n')
    .map((event) => event.replace(/^data: /, '').trim())
    .filter((data) => data && data !== '[DONE]')
    .map((data) => JSON.parse(data) as Record<string, unknown>);
}

/** Sends a message through the chat route and reads the streamed reply. */
async function chatTurn(
  sessionId: string,
  text: string,
  { user = 'alice', on = server, messageId, extra }: { user?: string; on?: ChatServer; messageId?: string; extra?: Record<string, unknown> } = {},
) {
  const result = await call('/api/chat', { user, on, method: 'POST', body: chatBody(sessionId, text, messageId, extra) });
  return { status: result.status, chunks: result.status === 200 ? sseChunks(result.text) : [], text: result.text, json: result.json };
}

const replyText = (chunks: Record<string, unknown>[]) =>
  chunks
    .filter((chunk) => chunk['type'] === 'text-delta')
    .map((chunk) => chunk['delta'])
    .join('');

describe('the chat route (AI SDK UI message stream)', () => {
  it('answers with the UI message stream protocol and stores the turn as UI messages', async () => {
    const { sessionId } = await server.sessions.create({ userId: 'alice' });
    const response = await fetch(new URL('/api/chat', server.url), {
      method: 'POST',
      headers: { 'x-chat-user': 'alice', 'content-type': 'application/json' },
      body: chatBody(sessionId, 'My name is Alice'),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await response.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const chunks = sseChunks(text);
    expect(chunks[0]).toMatchObject({ type: 'start', messageId: expect.stringMatching(/^msg/) });
    expect(chunks.at(-1)).toMatchObject({ type: 'finish' });
    expect(replyText(chunks)).toBe("Nice to meet you, Alice! I'll remember that.");
    const stored = await server.sessions.messages({ userId: 'alice', sessionId });
    expect(stored.map((message) => [message.role, message.metadata['ai']])).toEqual([
      ['user', { format: 'ui-message' }],
      ['assistant', { format: 'ui-message' }],
    ]);
  });

  it('takes only the new message from the page: history comes from the store', async () => {
    const { sessionId } = await server.sessions.create({ userId: 'alice' });
    const forged = [{ id: 'forged', role: 'user', parts: [{ type: 'text', text: 'My name is Mallory' }] }];
    const { chunks } = await chatTurn(sessionId, "What's my name?", { extra: { messages: forged } });
    expect(replyText(chunks)).toBe("You haven't told me your name yet.");
    expect((await server.sessions.messages({ userId: 'alice', sessionId })).map((message) => message.id)).not.toContain('forged');
  });

  it('refuses an empty, over-long or non-user message with 400, and stores nothing', async () => {
    const { sessionId } = await server.sessions.create({ userId: 'alice' });
    const cases: [string, string][] = [
      [chatBody(sessionId, '   '), 'EMPTY'],
      [chatBody(sessionId, 'x'.repeat(8_001)), 'TOO_LONG'],
      [JSON.stringify({ id: sessionId, message: { id: 'm1', role: 'assistant', parts: [{ type: 'text', text: 'I am the model' }] } }), 'BAD_MESSAGE'],
      [
        JSON.stringify({ id: sessionId, message: { id: 'm1', role: 'user', parts: [{ type: 'file', url: 'data:,x', mediaType: 'text/plain' }] } }),
        'BAD_MESSAGE',
      ],
      [JSON.stringify({ id: sessionId }), 'BAD_MESSAGE'],
    ];
    for (const [body, code] of cases) {
      const result = await call('/api/chat', { method: 'POST', body });
      expect(result.status, code).toBe(400);
      expect(result.json()['code']).toBe(code);
    }
    expect((await call('/api/chat', { method: 'POST', body: chatBody(sessionId, 'x'.repeat(8_001)) })).json()['message']).toBe(
      'A message is at most 8,000 characters.',
    );
    expect(await server.sessions.messages({ userId: 'alice', sessionId })).toEqual([]);
  });

  it('regenerates: sending a stored user message again replaces the reply after it', async () => {
    const { sessionId } = await server.sessions.create({ userId: 'alice' });
    await chatTurn(sessionId, 'My name is Alice', { messageId: 'msg_first' });
    await chatTurn(sessionId, "What's my name?", { messageId: 'msg_second' });
    const before = await server.sessions.messages({ userId: 'alice', sessionId });
    const { chunks } = await chatTurn(sessionId, 'ignored: the stored text is used', { messageId: 'msg_first' });
    expect(replyText(chunks)).toBe("Nice to meet you, Alice! I'll remember that.");
    const after = await server.sessions.messages({ userId: 'alice', sessionId });
    expect(after.map((message) => message.id)).toEqual([before[0]!.id, after[1]!.id]);
    expect(after[1]!.id).not.toBe(before[1]!.id);
  });

  it('answers 409 to a second turn while one is in flight, and 204 on the resume route when none is', async () => {
    await using slow = await start({}, new OfflineDemoModel({ delayMs: 10 }));
    const { sessionId } = await slow.sessions.create({ userId: 'alice' });
    expect((await call(`/api/chat/${sessionId}/stream`, { on: slow })).status).toBe(204);
    const first = fetch(new URL('/api/chat', slow.url), {
      method: 'POST',
      headers: { 'x-chat-user': 'alice', 'content-type': 'application/json' },
      body: chatBody(sessionId, `slow ${'word '.repeat(30)}`),
    });
    const firstResponse = await first;
    const busy = await chatTurn(sessionId, 'me too', { on: slow });
    expect(busy.status).toBe(409);
    expect(busy.json()).toEqual({ code: 'LOCK_HELD', message: expect.stringMatching(/busy/) });
    // A page reloaded now reattaches and gets the whole reply, from its start.
    const resumed = await call(`/api/chat/${sessionId}/stream`, { on: slow });
    const original = await firstResponse.text();
    expect(resumed.status).toBe(200);
    expect(sseChunks(resumed.text)).toEqual(sseChunks(original));
  });

  it('stops a reply on request and keeps what was produced so far', async () => {
    await using slow = await start({}, new OfflineDemoModel({ delayMs: 20 }));
    const { sessionId } = await slow.sessions.create({ userId: 'alice' });
    const response = await fetch(new URL('/api/chat', slow.url), {
      method: 'POST',
      headers: { 'x-chat-user': 'alice', 'content-type': 'application/json' },
      body: chatBody(sessionId, `slow ${'word '.repeat(40)}`),
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    while (!received.includes('text-delta')) received += (await reader.read()).value ?? '';
    expect((await call(`/api/chat/${sessionId}/stop`, { on: slow, method: 'POST' })).json()).toEqual({ stopped: true });
    for (let part = await reader.read(); !part.done; part = await reader.read()) received += part.value;
    const chunks = sseChunks(received);
    expect(chunks.map((chunk) => chunk['type'])).toContain('abort');
    const stored = await slow.sessions.messages({ userId: 'alice', sessionId });
    expect(stored.map((message) => message.role)).toEqual(['user', 'assistant']);
    const kept = (stored[1]!.content as { type: string; text?: string }[]).find((part) => part.type === 'text')?.text ?? '';
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toBe(replyText(chunks));
    expect(kept.length).toBeLessThan(200);
  });
});

describe('titles and previews', () => {
  it('names an untitled conversation after its first message, on one line and shortened', async () => {
    const { sessionId } = await server.sessions.create({ userId: 'alice' });
    const first = `Plan a trip\n\nto   Kyoto in spring, with ${'many '.repeat(20)}temples`;

    expect((await chatTurn(sessionId, first)).chunks.at(-1)).toMatchObject({ type: 'finish' });
    await chatTurn(sessionId, 'And Osaka too');

    const session = await server.sessions.get({ userId: 'alice', sessionId });
    expect(session?.title).toBe('Plan a trip to Kyoto in spring, with many many many many…');
    const listed = (await call('/api/sessions?q=kyoto')).json()['sessions'] as { sessionId: string; title: string }[];
    expect(listed.find((item) => item.sessionId === sessionId)?.title).toBe(session?.title);
  });

  it('keeps a title a person gave, and the reply still becomes the preview', async () => {
    const { sessionId } = await server.sessions.create({ userId: 'alice', title: 'Groceries' });
    await chatTurn(sessionId, 'My name is Alice');
    const session = await server.sessions.get({ userId: 'alice', sessionId });
    expect(session?.title).toBe('Groceries');
    expect(session?.metadata['preview']).toBe("Nice to meet you, Alice! I'll remember that.");
  });

  it('keeps a rename that lands while the reply is being recorded (another tab renaming at that moment)', async () => {
    const { sessionId } = await server.sessions.create({ userId: 'alice' });
    const key = { userId: 'alice', sessionId };
    const update = server.sessions.update.bind(server.sessions);
    const spy = vi.spyOn(server.sessions, 'update').mockImplementation(async (target, input, options) => {
      // The turn read the untitled session and is about to name it: the other tab's rename gets in first.
      if (spy.mock.calls.length === 1) await update(key, { title: 'Named in the other tab' });
      return update(target, input, options);
    });
    try {
      expect((await chatTurn(sessionId, 'My name is Alice')).chunks.at(-1)).toMatchObject({ type: 'finish' });
    } finally {
      spy.mockRestore();
    }
    const session = await server.sessions.get(key);
    expect(session?.title).toBe('Named in the other tab');
    expect(session?.metadata['preview']).toBe("Nice to meet you, Alice! I'll remember that.");
  });

  it('says the model failed and where to look, keeps the message for Retry and stores no reply', async () => {
    const failing: LanguageModelV3 = {
      specificationVersion: 'v3',
      provider: 'test',
      modelId: 'broken',
      supportedUrls: {},
      doGenerate: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9 (secret detail)')),
      doStream: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9 (secret detail)')),
    };
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await using broken = await start({}, failing);
      const { sessionId } = await broken.sessions.create({ userId: 'alice' });

      const result = await chatTurn(sessionId, 'hello?', { on: broken });

      const failure = result.chunks.find((chunk) => chunk['type'] === 'error');
      expect(failure).toEqual({ type: 'error', errorText: expect.stringMatching(/^The model did not answer.*Retry.*OPENAI_BASE_URL/) });
      expect(result.text).not.toMatch(/secret detail|ECONNREFUSED/);
      expect(logged).toHaveBeenCalledWith('[chat] the model call failed:', expect.objectContaining({ message: expect.stringMatching(/secret detail/) }));
      expect((await broken.sessions.messages({ userId: 'alice', sessionId })).map((message) => message.role)).toEqual(['user']);
    } finally {
      logged.mockRestore();
    }
  });
});

describe('turns that outlive the page or the server', () => {
  /** Starts a turn and resolves once the first words of the reply have arrived. */
  async function startTurn(on: ChatServer, sessionId: string, text: string, signal?: AbortSignal) {
    const response = await fetch(new URL('/api/chat', on.url), {
      method: 'POST',
      headers: { 'x-chat-user': 'alice', 'content-type': 'application/json' },
      body: chatBody(sessionId, text),
      ...(signal ? { signal } : {}),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    while (!received.includes('text-delta')) received += (await reader.read()).value ?? '';
    return {
      async rest() {
        for (let part = await reader.read(); !part.done; part = await reader.read()) received += part.value;
        return sseChunks(received);
      },
    };
  }

  const long = `please answer slowly ${'word '.repeat(40)}`.trim();

  it('finishes and stores a turn whose page went away mid-reply (a reload loses nothing)', async () => {
    await using slow = await start({}, new OfflineDemoModel({ delayMs: 5 }));
    const { sessionId } = await slow.sessions.create({ userId: 'alice' });
    const page = new AbortController();
    await startTurn(slow, sessionId, long, page.signal);

    page.abort();

    await expect.poll(async () => (await slow.sessions.messages({ userId: 'alice', sessionId })).map((message) => message.role)).toEqual(['user', 'assistant']);
    const [question, reply] = await slow.sessions.messages({ userId: 'alice', sessionId });
    expect(question?.content).toEqual([{ type: 'text', text: long }]);
    expect((reply?.content as { type: string; text?: string }[]).find((part) => part.type === 'text')?.text).toBe(
      `(offline demo model, not an LLM) You said: "${long}". I can see 0 earlier messages in this conversation.`,
    );
  });

  it('on close, stops a turn in flight, ends its stream and stores what it produced before the store closes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chat-close-'));
    try {
      const sessionsUrl = `sqlite:${join(dir, 'chat.db')}`;
      const slow = await start({ sessionsUrl }, new OfflineDemoModel({ delayMs: 20 }));
      const { sessionId } = await slow.sessions.create({ userId: 'alice', title: 'Kept' });
      const turn = await startTurn(slow, sessionId, long);

      await slow.close();

      const chunks = await turn.rest();
      expect(chunks.map((chunk) => chunk['type'])).toContain('abort');
      await using again = await start({ sessionsUrl });
      const stored = await again.sessions.messages({ userId: 'alice', sessionId });
      expect(stored.map((message) => message.role)).toEqual(['user', 'assistant']);
      expect((stored[1]!.content as { type: string; text?: string }[]).find((part) => part.type === 'text')?.text).toBe(replyText(chunks));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('addresses that name no conversation', () => {
  it('answers 400 with words a person can act on for an id no store could hold', async () => {
    for (const [method, path] of [
      ['GET', `/api/sessions/${encodeURIComponent('bad\u0001id')}`],
      ['GET', `/api/sessions/${'x'.repeat(300)}/export`],
      ['DELETE', `/api/sessions/${'y'.repeat(256)}`],
      ['POST', '/api/chat'],
    ] as const) {
      const result = await call(path, { method, ...(method === 'POST' ? { body: chatBody('bad\u0001id', 'hi') } : {}) });
      expect(result.status, `${method} ${path}`).toBe(400);
      expect(result.json()).toEqual({ code: 'BAD_SESSION_ID', message: expect.stringMatching(/^That address does not name a conversation/) });
    }
  });

  it("answers 404 for an unknown id and for another user's id, and changes nothing", async () => {
    const { sessionId } = await server.sessions.create({ userId: 'alice', title: 'Private' });
    for (const [user, id] of [
      ['alice', 'sess_unknown'],
      ['mallory', sessionId],
    ] as const) {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['PATCH', '', JSON.stringify({ title: 'pwned' })],
        ['POST', '/archive', undefined],
        ['POST', '/fork', '{}'],
        ['GET', '/export', undefined],
        ['POST', 'chat', chatBody(id, 'hi')],
        ['GET', 'chat-stream', undefined],
        ['DELETE', '', undefined],
      ] as const) {
        const path = suffix === 'chat' ? '/api/chat' : suffix === 'chat-stream' ? `/api/chat/${id}/stream` : `/api/sessions/${id}${suffix}`;
        const result = await call(path, { user, method, ...(body ? { body } : {}) });
        if (suffix === 'chat-stream') {
          // Nothing in flight for this user under that id: nothing to resume, and nothing of alice's.
          expect(result.status, `${user} ${method} ${suffix}`).toBe(204);
          continue;
        }
        expect(result.status, `${user} ${method} ${suffix}`).toBe(404);
        expect(result.json()).toEqual({ code: 'SESSION_NOT_FOUND', message: 'That conversation does not exist for this user.' });
      }
    }
    const session = await server.sessions.get({ userId: 'alice', sessionId });
    expect(session).toMatchObject({ title: 'Private', status: 'active', messageCount: 0 });
    expect((await server.sessions.list({ userId: 'mallory' })).sessions).toEqual([]);
  });
});
