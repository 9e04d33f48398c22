import type { SessionKey, SessionManager } from '@sessions/core';
import type { Agent } from '@sessions/ai';
import { readJson } from '../http/body.js';
import { HttpError, toHttpError } from '../http/http-error.js';
import type { Router } from '../http/router.js';
import { userFrom } from '../user.js';

export interface TurnRoutesOptions {
  readonly sessions: SessionManager;
  readonly agent: Agent;
  readonly maxMessageChars: number;
}

/**
 * POST /api/sessions/:id/messages streams the reply as JSON lines: `{ type: 'delta', text }`
 * while the model writes, then `{ type: 'done' }`. A busy session answers 409 before any
 * streaming starts (the page then retries with `?wait=1`, which waits for its turn).
 */
export function turnRoutes(router: Router, { sessions, agent, maxMessageChars }: TurnRoutesOptions): void {
  router.on('POST', '/api/sessions/:id/messages', async ({ request, response, params, url }) => {
    const key = { userId: userFrom(request), sessionId: params['id']! };
    const body = (await readJson(request, 1024 * 1024)) as { content?: unknown };
    const content = typeof body.content === 'string' ? body.content.trim() : '';
    if (!content) throw new HttpError(400, 'EMPTY', 'Type a message first.');
    if (content.length > maxMessageChars) throw new HttpError(400, 'TOO_LONG', `A message is at most ${maxMessageChars.toLocaleString('en')} characters.`);
    if (!(await sessions.get(key))) throw new HttpError(404, 'SESSION_NOT_FOUND', 'That conversation does not exist for this user.');

    const aborted = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) aborted.abort(new Error('the page went away'));
    });
    // The agent holds the session's lease for the whole model call and stores the turn when it completes.
    const stream = agent.stream(key, content, { waitMs: url.searchParams.get('wait') === '1' ? 30_000 : 0, signal: aborted.signal });
    // Events before the model's first part only say which session is used; the first model part
    // means the lease is held. A busy session fails before that, so it is refused before any streaming.
    const events = stream[Symbol.asyncIterator]();
    let next = await events.next();
    while (!next.done && next.value.type === 'session') next = await events.next();
    response.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    try {
      for (; !next.done; next = await events.next()) {
        if (next.value.type === 'text-delta') response.write(`${JSON.stringify({ type: 'delta', text: next.value.text })}\n`);
      }
      const { text } = await stream.result;
      await rememberPreview(sessions, key, text);
      response.end(`${JSON.stringify({ type: 'done' })}\n`);
    } catch (error) {
      const failure = toHttpError(error);
      response.end(`${JSON.stringify({ type: 'error', code: failure.code, message: failure.message })}\n`);
    }
  });
}

/** Keeps the latest reply in metadata, where the list shows it and search finds it. */
async function rememberPreview(sessions: SessionManager, key: SessionKey, reply: string): Promise<void> {
  const session = await sessions.get(key);
  if (!session) return;
  const preview = reply.replace(/\s+/g, ' ').trim().slice(0, 160);
  await sessions.update(key, { metadata: { ...session.metadata, preview } });
}
