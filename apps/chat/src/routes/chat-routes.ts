import { SessionsError, type Message, type RunContext, type SessionManager } from '@sessions/core';
import { fromUIMessages, toUIMessages } from '@sessions/ai';
import { convertToModelMessages, createIdGenerator, isToolUIPart, stepCountIs, streamText, type LanguageModel, type UIMessage } from 'ai';
import { demoTools } from '../chat/clock-tool.js';
import { LiveTurns, type LiveTurn } from '../chat/live-turns.js';
import { rememberTurn } from '../chat/remember-turn.js';
import { userMessageFrom } from '../chat/user-message.js';
import { readJson } from '../http/body.js';
import { HttpError, toHttpError } from '../http/http-error.js';
import { sendJson, type RouteContext, type Router } from '../http/router.js';
import { sessionKey } from '../user.js';

export interface ChatRoutesOptions {
  readonly sessions: SessionManager;
  readonly model: LanguageModel;
  readonly maxMessageChars: number;
  /** Aborted when the server shuts down: turns in flight stop and keep what they produced. */
  readonly signal: AbortSignal;
}

export interface ChatRoutes {
  /** Resolves once every turn in flight has been stored. */
  settled(): Promise<void>;
}

const SYSTEM = 'You are a helpful assistant in a demo chat app. Be concise. Use the clock tool when asked for the time or date.';
/** How many of the latest messages go to the model; the store keeps them all. */
const MODEL_WINDOW = 100;
const newAssistantId = createIdGenerator({ prefix: 'msg', size: 24 });

/**
 * The AI SDK's chat route convention, on @sessions:
 *
 * - `POST /api/chat` takes `{ id, message }` (the page sends only its new message, see
 *   `prepareSendMessagesRequest` in web/chat/use-conversation.ts) and answers with the UI message
 *   stream. The turn runs under the session's lease for the whole model call: the history comes
 *   from the store, the user message is stored first, the reply when it completes (or is stopped).
 * - `GET /api/chat/:id/stream` is what `useChat({ resume: true })` calls after a reload: the
 *   reply in flight from the start, or 204 when there is none.
 * - `POST /api/chat/:id/stop` stops the reply and keeps what was produced so far. A closed or
 *   reloaded tab does not stop it: the reply belongs to the conversation, not to the page.
 */
export function chatRoutes(router: Router, { sessions, model, maxMessageChars, signal }: ChatRoutesOptions): ChatRoutes {
  const live = new LiveTurns();
  const inFlight = new Set<Promise<unknown>>();

  router.on('POST', '/api/chat', async ({ request, response }) => {
    const body = (await readJson(request, 1024 * 1024)) as { id?: unknown; message?: unknown };
    if (typeof body.id !== 'string') throw new HttpError(400, 'BAD_CHAT', 'Say which conversation: { id, message }.');
    const key = sessionKey(request, { id: body.id });
    const message = userMessageFrom(body.message, maxMessageChars);
    if (!(await sessions.get(key))) throw new HttpError(404, 'SESSION_NOT_FOUND', 'That conversation does not exist for this user.');
    const turn = live.start(key.userId, key.sessionId);
    if (!turn) throw new HttpError(409, 'LOCK_HELD', 'This conversation is busy: another tab is getting a reply. Wait a moment and try again.');

    let leaseHeld!: () => void;
    const started = new Promise<void>((resolve) => (leaseHeld = resolve));
    const run = sessions
      .run(key, async (context) => {
        leaseHeld();
        try {
          return await produceReply(context, message, turn);
        } catch (error) {
          // The page is already following the stream: the failure goes there as an error chunk.
          turn.publish({ type: 'error', errorText: error instanceof HttpError ? error.message : modelFailure(error) });
          throw error;
        }
      })
      .then((reply) => rememberTurn(sessions, key, textOf(message), reply))
      .finally(() => live.finish(key.userId, key.sessionId, turn));
    const tracked = run.catch(() => {});
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    // A busy session or an unreachable store fails before the lease is held: an HTTP error, no stream.
    await Promise.race([started, run]);
    turn.follow(response);
    run.catch((error: unknown) => {
      const failure = toHttpError(error);
      if (failure.status >= 500) console.error('[chat] the turn failed:', error);
    });
  });

  router.on('GET', '/api/chat/:id/stream', async ({ request, response, params }) => {
    const key = sessionKey(request, params);
    const turn = live.get(key.userId, key.sessionId);
    if (!turn) {
      response.writeHead(204, { 'cache-control': 'no-store' }).end();
      return;
    }
    turn.follow(response);
  });

  router.on('POST', '/api/chat/:id/stop', async ({ request, response, params }: RouteContext) => {
    const key = sessionKey(request, params);
    const turn = live.get(key.userId, key.sessionId);
    // No reason: the SDK treats the plain AbortError as a stop, ends the stream cleanly and hands back the partial reply.
    turn?.controller.abort();
    sendJson(response, 200, { stopped: turn !== undefined });
  });

  async function produceReply({ history, append, truncate, signal: leaseSignal }: RunContext, message: UIMessage, turn: LiveTurn): Promise<string> {
    // A message already stored is sent again by "Retry" and "Regenerate": the turn restarts after it.
    const index = history.findIndex((stored) => stored.id === message.id);
    let kept: Message[];
    if (index >= 0) {
      if (history[index]!.role !== 'user') throw new HttpError(400, 'BAD_MESSAGE', 'Only a user message can be sent again.');
      if (index < history.length - 1) await truncate(history[index]!.seq);
      kept = history.slice(0, index + 1);
    } else {
      kept = [...history, ...(await append(fromUIMessages([message])))];
    }
    const messages = toUIMessages(kept);
    // Stop, shutdown and a lost lease all end the model call the same way: a plain abort, so the
    // partial reply comes back through onFinish (a lost lease then fails the append below).
    const stopping = new AbortController();
    const stopSignals = [leaseSignal, turn.controller.signal, signal];
    const onStop = () => stopping.abort();
    for (const stopSignal of stopSignals) {
      if (stopSignal.aborted) stopping.abort();
      stopSignal.addEventListener('abort', onStop, { once: true });
    }
    const result = streamText({
      model,
      system: SYSTEM,
      messages: await convertToModelMessages(messages.slice(-MODEL_WINDOW), { tools: demoTools }),
      tools: demoTools,
      stopWhen: stepCountIs(5),
      abortSignal: stopping.signal,
    });
    let reply: UIMessage | undefined;
    const stream = result.toUIMessageStream({
      originalMessages: messages,
      generateMessageId: newAssistantId,
      onError: modelFailure,
      onFinish: ({ responseMessage }) => {
        reply = responseMessage;
      },
    });
    try {
      for await (const chunk of stream) turn.publish(chunk);
    } finally {
      for (const stopSignal of stopSignals) stopSignal.removeEventListener('abort', onStop);
    }
    // What was produced is kept, also when the reply was stopped or the model failed half-way; a tool
    // call cut off before its result is dropped, since the next turn could not send it to the model.
    const stored = reply && {
      ...reply,
      parts: reply.parts.filter((part) => !isToolUIPart(part) || part.state === 'output-available' || part.state === 'output-error'),
    };
    if (stored && stored.parts.some((part) => part.type !== 'step-start')) await append(fromUIMessages([stored]));
    return stored ? textOf(stored) : '';
  }

  return {
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

/**
 * What the page shows when the model call fails (a wrong OPENAI_BASE_URL, key or model name):
 * where to look. The details, which may quote the provider's answer, go to the server log only.
 */
function modelFailure(error: unknown): string {
  if (error instanceof SessionsError) return toHttpError(error).message;
  console.error('[chat] the model call failed:', error);
  return 'The model did not answer. Your message is kept: press Retry. The server log says why (check OPENAI_BASE_URL, OPENAI_API_KEY and CHAT_MODEL).';
}

function textOf(message: UIMessage): string {
  return message.parts
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('')
    .trim();
}
