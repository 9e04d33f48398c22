import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createEngine, SessionManager, type Engine } from '@sessions/core';
import type { LanguageModel } from 'ai';
import type { ChatConfig } from './config.js';
import { toHttpError } from './http/http-error.js';
import { Router, sendJson } from './http/router.js';
import { allowedHostHeaders, guardRequest } from './http/security.js';
import { serveStatic } from './http/static-files.js';
import { chooseModel } from './choose-model.js';
import { sessionRoutes } from './routes/session-routes.js';
import { chatRoutes } from './routes/chat-routes.js';

export interface ChatServer extends AsyncDisposable {
  readonly url: string;
  readonly sessions: SessionManager;
  close(): Promise<void>;
}

// The page, built by Vite from web/ (`pnpm build`).
const publicDirectory = fileURLToPath(new URL('../dist/client', import.meta.url));

/** Starts the chat app: the page, its JSON API and the AI SDK chat route. */
export async function startChatServer(config: ChatConfig, overrides: { model?: LanguageModel; modelLabel?: string } = {}): Promise<ChatServer> {
  const engine: Engine = await createEngine(config.sessionsUrl);
  await engine.setup();
  const sessions = new SessionManager({ engine, lockTtlMs: 30_000, heartbeatMs: 5_000, limits: { maxMessageBytes: 256 * 1024 } });
  const chosen = overrides.model ? { model: overrides.model, label: overrides.modelLabel ?? 'custom model' } : chooseModel(config);

  const router = new Router();
  router.on('GET', '/api/info', async ({ response }) =>
    sendJson(response, 200, {
      model: chosen.label,
      store: config.sessionsUrl.split(':')[0],
      maxImportBytes: config.maxImportBytes,
      maxMessageChars: config.maxMessageChars,
    }),
  );
  sessionRoutes(router, { sessions, maxImportBytes: config.maxImportBytes });
  const shutdown = new AbortController();
  const turns = chatRoutes(router, { sessions, model: chosen.model, maxMessageChars: config.maxMessageChars, signal: shutdown.signal });

  // Filled in once the port is known (PORT=0 picks one); nothing is answered before that.
  let allowedHosts: ReadonlySet<string> = new Set();
  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (guardRequest(request, response, allowedHosts)) return;
    // `new URL` throws on targets such as `//`; outside the try below that used to be an unhandled rejection.
    if (!URL.canParse(request.url ?? '/', 'http://localhost'))
      return sendJson(response, 400, { code: 'BAD_REQUEST', message: 'The request target is not a valid path.' });
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      const route = router.match(request.method ?? 'GET', url.pathname);
      if (route === 'method-not-allowed') return sendJson(response, 405, { code: 'METHOD_NOT_ALLOWED', message: 'That method is not allowed here.' });
      if (route) return await route.handler({ request, response, params: route.params, url });
      if (request.method === 'GET' && (await serveStatic(publicDirectory, url.pathname, response))) return;
      sendJson(response, 404, { code: 'NOT_FOUND', message: 'Nothing here.' });
    } catch (error) {
      const failure = toHttpError(error);
      if (failure.status >= 500) console.error(error);
      if (response.headersSent) {
        response.end();
      } else {
        sendJson(response, failure.status, { code: failure.code, message: failure.message });
      }
    }
  };
  const server: Server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      console.error(error);
      response.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    await engine.close(); // the caller gets no handle to close it with
    throw error;
  }
  const address = server.address() as AddressInfo;
  allowedHosts = allowedHostHeaders(config.allowedHostNames, address.port);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Turns in flight are cancelled and taken back while the store is still open, so none is left half-written.
      shutdown.abort(new Error('the chat server is shutting down'));
      await turns.settled();
      server.closeAllConnections();
      await closed;
      await engine.close();
    })());
  return { url: `http://${config.host}:${address.port}/`, sessions, close, [Symbol.asyncDispose]: close };
}
