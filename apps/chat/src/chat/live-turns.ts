import type { ServerResponse } from 'node:http';
import { UI_MESSAGE_STREAM_HEADERS, type UIMessageChunk } from 'ai';

/**
 * A reply being produced in this process: the UI message stream chunks so far, as server-sent
 * events, and the responses that follow it. The page that asked for the reply is the first
 * follower; a page reloaded mid-reply (`useChat({ resume: true })`) joins with
 * `GET /api/chat/:id/stream` and gets everything from the start, then the rest as it comes.
 * It lives in memory, so it reaches only tabs served by this process: a change feed in the
 * store (the live-sessions issue) would serve the same from any process.
 */
export class LiveTurn {
  readonly controller = new AbortController();
  readonly #events: string[] = [];
  readonly #followers = new Set<ServerResponse>();
  #ended = false;

  /** Sends everything so far to `response`, then each new chunk until the reply ends. */
  follow(response: ServerResponse): void {
    response.writeHead(200, { ...UI_MESSAGE_STREAM_HEADERS, 'cache-control': 'no-store' });
    for (const event of this.#events) response.write(event);
    if (this.#ended) {
      response.end();
      return;
    }
    this.#followers.add(response);
    // A closed tab stops following; the reply goes on and is stored when it completes.
    response.once('close', () => this.#followers.delete(response));
  }

  publish(chunk: UIMessageChunk): void {
    this.#send(`data: ${JSON.stringify(chunk)}\n\n`);
  }

  end(): void {
    if (this.#ended) return;
    this.#send('data: [DONE]\n\n');
    this.#ended = true;
    for (const response of this.#followers) response.end();
    this.#followers.clear();
  }

  #send(event: string): void {
    this.#events.push(event);
    for (const response of this.#followers) if (!response.destroyed) response.write(event);
  }
}

/** The replies in flight in this process, one per conversation. */
export class LiveTurns {
  readonly #turns = new Map<string, LiveTurn>();

  /** A new turn for the conversation, or undefined when one is already running here. */
  start(userId: string, sessionId: string): LiveTurn | undefined {
    const id = keyOf(userId, sessionId);
    if (this.#turns.has(id)) return undefined;
    const turn = new LiveTurn();
    this.#turns.set(id, turn);
    return turn;
  }

  get(userId: string, sessionId: string): LiveTurn | undefined {
    return this.#turns.get(keyOf(userId, sessionId));
  }

  finish(userId: string, sessionId: string, turn: LiveTurn): void {
    turn.end();
    if (this.#turns.get(keyOf(userId, sessionId)) === turn) this.#turns.delete(keyOf(userId, sessionId));
  }
}

const keyOf = (userId: string, sessionId: string) => JSON.stringify([userId, sessionId]);
