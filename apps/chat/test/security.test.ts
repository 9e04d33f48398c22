import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatServer } from '../src/chat-server.js';
import { configFromEnv } from '../src/config.js';
import { OfflineDemoModel } from '../src/offline-model.js';

// DNS rebinding and the headers every response carries, checked at the HTTP level.

let server: ChatServer;
let port: number;
beforeAll(async () => {
  server = await startChatServer({ ...configFromEnv({}), port: 0, sessionsUrl: 'memory:' }, { model: new OfflineDemoModel({ delayMs: 0 }) });
  port = Number(new URL(server.url).port);
});
afterAll(() => server?.close());

/** A raw request, so the Host header can be anything (fetch always sends the URL's host). */
function get(path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    // An empty `host` sends no Host header at all (setHost: false), as an HTTP/1.0 client would.
    const outgoing = request(
      { host: '127.0.0.1', port, path, method: 'GET', setHost: false, headers: { ...(host ? { host } : {}), ...headers } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('Host allowlist (DNS rebinding)', () => {
  it('answers the loopback names with the port it listens on', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect((await get('/api/info', host)).status, host).toBe(200);
    }
  });

  it('refuses with 421 a rebound name, a missing port, another port, reading and writing nothing', async () => {
    await server.sessions.create({ userId: 'alice', title: 'secret plans' });
    for (const host of [`evil.example:${port}`, 'evil.example', 'localhost', `localhost:${port + 1}`, `127.0.0.1.evil.example:${port}`]) {
      const result = await get('/api/sessions', host, { 'x-chat-user': 'alice' });
      expect(result.status, host).toBe(421);
      expect(JSON.parse(result.body)).toEqual({ code: 'MISDIRECTED', message: expect.stringMatching(/CHAT_ALLOWED_HOSTS/) });
      expect(result.body).not.toMatch(/secret plans/);
    }
    for (const path of ['/', '/index.html']) expect((await get(path, `evil.example:${port}`)).status).toBe(421);
    // Node itself refuses an HTTP/1.1 request without a Host header (400) before the app sees it.
    const noHost = await get('/api/sessions', '', { 'x-chat-user': 'alice' });
    expect([400, 421]).toContain(noHost.status);
    expect(noHost.body).not.toMatch(/secret plans/);
  });

  it('answers the names listed in CHAT_ALLOWED_HOSTS, with or without a port', async () => {
    const config = configFromEnv({ CHAT_ALLOWED_HOSTS: 'chat.internal, Box.LAN:8443' });
    expect(config.allowedHostNames).toEqual(['localhost', '127.0.0.1', '[::1]', 'chat.internal', 'box.lan:8443']);
    const other = await startChatServer({ ...config, port: 0, sessionsUrl: 'memory:' }, { model: new OfflineDemoModel({ delayMs: 0 }) });
    try {
      const otherPort = Number(new URL(other.url).port);
      const status = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const outgoing = request({ host: '127.0.0.1', port: otherPort, path: '/api/info', headers: { host } }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          });
          outgoing.on('error', reject);
          outgoing.end();
        });
      expect(await status(`chat.internal:${otherPort}`)).toBe(200);
      expect(await status('box.lan:8443')).toBe(200);
      expect(await status(`localhost:${otherPort}`)).toBe(200);
      expect(await status(`box.lan:${otherPort}`)).toBe(421);
    } finally {
      await other.close();
    }
  });

  it('adds a specific HOST it listens on to the allowed names, but not a wildcard address', () => {
    expect(configFromEnv({ HOST: '192.168.1.5' }).allowedHostNames).toContain('192.168.1.5');
    expect(configFromEnv({ HOST: '0.0.0.0' }).allowedHostNames).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(configFromEnv({ HOST: '::1' }).allowedHostNames).toEqual(['localhost', '127.0.0.1', '[::1]']);
  });
});

describe('security headers', () => {
  const host = () => `127.0.0.1:${port}`;

  it('sends CSP without inline script, no framing and a referrer policy on the page, the API, errors and refusals', async () => {
    for (const [path, hostHeader] of [
      ['/', host()],
      ['/api/info', host()],
      ['/api/sessions', host()], // 401: no user
      ['/nothing-here', host()], // 404
      ['/api/info', `evil.example:${port}`], // 421
    ] as const) {
      const { headers, status } = await get(path, hostHeader);
      const csp = String(headers['content-security-policy']);
      expect(csp, `${path} ${status}`).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/default-src 'self'/);
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('request targets that are not URLs', () => {
  it('answers 400 to a path URL cannot parse and keeps serving', async () => {
    for (const path of ['//', '//a%20b', '//[']) {
      expect((await get(path, `localhost:${port}`)).status, path).toBe(400);
    }
    expect((await get('/api/info', `localhost:${port}`)).status).toBe(200);
  });
});
