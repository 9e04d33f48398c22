import { ConcurrentUpdateError, SessionsError, type SessionKey, type SessionManager } from '@sessions/core';
import type { Agent, AgentStreamEvent } from '@sessions/ai';
import { readJson } from '../http/body.js';
import { HttpError, toHttpError } from '../http/http-error.js';
import type { RouteContext, Router } from '../http/router.js';
import { sessionKey } from '../user.js';

export interface TurnRoutesOptions {
  readonly sessions: SessionManager;
  readonly agent: Agent;
  readonly maxMessageChars: number;
  /** Aborted when the server shuts down: the only thing that cancels a turn. */
  readonly signal: AbortSignal;
}

export interface TurnRoutes {
  /** Resolves once every turn in flight has been stored or taken back. */
  settled(): Promise<void>;
}

/**
 * POST /api/sessions/:id/messages streams the reply as JSON lines: `{ type: 'delta', text }`
 * while the model writes, then `{ type: 'done' }`. A busy session answers 409 before any
 * streaming starts (the page then retries with `?wait=1`, which waits for its turn).
 */
export function turnRoutes(router: Router, { sessions, agent, maxMessageChars, signal }: TurnRoutesOptions): TurnRoutes {
  const inFlight = new Set<Promise<void>>();
  router.on('POST', '/api/sessions/:id/messages', (context) => {
    const turn = handleTurn(context);
    const tracked = turn.then(
      () => {},
      () => {},
    );
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return turn;
  });

  async function handleTurn({ request, response, params, url }: RouteContext): Promise<void> {
    const key = sessionKey(request, params);
    const body = (await readJson(request, 1024 * 1024)) as { content?: unknown };
    const content = typeof body.content === 'string' ? body.content.trim() : '';
    if (!content) throw new HttpError(400, 'EMPTY', 'Type a message first.');
    if (content.length > maxMessageChars) throw new HttpError(400, 'TOO_LONG', `A message is at most ${maxMessageChars.toLocaleString('en')} characters.`);
    if (!(await sessions.get(key))) throw new HttpError(404, 'SESSION_NOT_FOUND', 'That conversation does not exist for this user.');

    // The agent holds the session's lease for the whole model call and stores the turn when it completes.
    // The turn belongs to the conversation, not to the page: a reload or a closed tab does not take back
    // a message the server accepted. The reply is stored when it completes and shows on the next load.
    const stream = agent.stream(key, content, { waitMs: url.searchParams.get('wait') === '1' ? 30_000 : 0, signal });
    // Events before the model's first part only say which session is used; the first model part
    // means the lease is held. A busy session fails before that, so it is refused before any streaming.
    const events = stream[Symbol.asyncIterator]();
    let next: IteratorResult<AgentStreamEvent>;
    try {
      next = await events.next();
      while (!next.done && next.value.type === 'session') next = await events.next();
    } catch (error) {
      throw turnFailure(error, signal);
    }
    response.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    try {
      for (; !next.done; next = await events.next()) {
        if (next.value.type === 'text-delta' && !response.destroyed) response.write(`${JSON.stringify({ type: 'delta', text: next.value.text })}\n`);
      }
      const { text } = await stream.result;
      await rememberTurn(sessions, key, content, text);
      response.end(`${JSON.stringify({ type: 'done' })}\n`);
    } catch (error) {
      const failure = turnFailure(error, signal);
      response.end(`${JSON.stringify({ type: 'error', code: failure.code, message: failure.message })}\n`);
    }
  }

  return {
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

/**
 * Store errors keep their own message. Anything else comes from the model call (a wrong
 * OPENAI_BASE_URL, key or model name): the page learns where to look, and the details,
 * which may quote the provider's answer, go to the server log only.
 */
function turnFailure(error: unknown, signal: AbortSignal): HttpError {
  if (signal.aborted) return new HttpError(503, 'SHUTTING_DOWN', 'The server is shutting down, so nothing of this turn was stored. Send it again once it is back.');
  if (error instanceof HttpError || error instanceof SessionsError) return toHttpError(error);
  console.error('[chat] the model call failed:', error);
  return new HttpError(502, 'MODEL_FAILED', 'The model did not answer, so nothing was stored; your message is back in the box. The server log says why (check OPENAI_BASE_URL, OPENAI_API_KEY and CHAT_MODEL).');
}

/**
 * Keeps the latest reply in metadata, where the list shows it and search finds it, and names an
 * untitled conversation after its first message, so the list does not read "New chat" everywhere.
 */
async function rememberTurn(sessions: SessionManager, key: SessionKey, message: string, reply: string): Promise<void> {
  const preview = oneLine(reply, 160);
  // A rename from another tab can land between the read and the write: the versioned write then
  // fails and is redone on a fresh read, so the person's title is never overwritten. The preview is
  // a convenience, so a session that keeps changing under it is left as it is.
  for (let attempt = 0; attempt < 5; attempt++) {
    const session = await sessions.get(key);
    if (!session) return;
    const title = session.title === null ? { title: oneLine(message, 60) } : {};
    try {
      await sessions.update(key, { metadata: { ...session.metadata, preview }, ...title }, { expectedVersion: session.version });
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  // End on a whole word when one is near, so a title does not stop at "ma…".
  const space = cut.lastIndexOf(' ');
  return `${(line[max - 1] !== ' ' && space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
