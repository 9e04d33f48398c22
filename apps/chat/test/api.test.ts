import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatServer } from '../src/chat-server.js';
import { configFromEnv, type ChatConfig } from '../src/config.js';
import { OfflineDemoModel } from '../src/offline-model.js';

// The HTTP API without a browser, on an in-memory store.

function start(overrides: Partial<ChatConfig> = {}): Promise<ChatServer> {
  const config = { ...configFromEnv({}), port: 0, sessionsUrl: 'memory:', ...overrides };
  return startChatServer(config, { model: new OfflineDemoModel({ delayMs: 0 }), modelLabel: 'Offline demo model (test)' });
}

let server: ChatServer;
beforeAll(async () => {
  server = await start();
});
afterAll(() => server?.close());

async function call(path: string, { user = 'alice', method = 'GET', body }: { user?: string | null; method?: string; body?: string } = {}) {
  const response = await fetch(new URL(path, server.url), {
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
    for (let i = start; i < Math.min(turns, start + 250); i++) batch.push({ role: 'user' as const, content: `question ${i}` }, { role: 'assistant' as const, content: reply(i) });
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
    const file = (await call(`/api/sessions/${sessionId}/export`, { user: 'carol' })).json() as { session: Record<string, unknown>; messages: { content: string }[] };
    file.messages[1]!.content = 'x'.repeat(256 * 1024 + 1);

    const result = await call('/api/import', { user: 'dave', method: 'POST', body: JSON.stringify(file) });

    expect(result.status).toBe(400);
    expect(result.json()).toEqual({ code: 'BAD_IMPORT', message: expect.stringMatching(/^That file cannot be imported: export\.messages\[1\]: is 26214\d bytes, over the limit of 262144 \(limits\.maxMessageBytes\)$/) });
    expect((await server.sessions.list({ userId: 'dave' })).sessions).toEqual([]);
  });

  it('refuses with 400 a file that is not a sessions export', async () => {
    const result = await call('/api/import', { method: 'POST', body: JSON.stringify({ format: 'something-else' }) });
    expect(result.status).toBe(400);
    expect(result.json()).toEqual({ code: 'BAD_IMPORT', message: expect.stringMatching(/^That file cannot be imported: export\.format: not a sessions export/) });
  });

  it('refuses with 413 a file over maxImportBytes', async () => {
    await using small = await start({ maxImportBytes: 1024 });
    const response = await fetch(new URL('/api/import', small.url), { method: 'POST', headers: { 'x-chat-user': 'alice' }, body: 'x'.repeat(2048) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ code: 'TOO_LARGE', message: 'The request is larger than 1 KB.' });
  });

  it('shows the last 500 messages of a longer conversation (documented in the README)', async () => {
    const sessionId = await conversation('erin', 300, (i) => `answer ${i}`);
    const result = await call(`/api/sessions/${sessionId}`, { user: 'erin' });
    const { session, messages } = result.json() as { session: { messageCount: number }; messages: { seq: number }[] };
    expect(session.messageCount).toBe(600);
    expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 101 + i));
  });
});
