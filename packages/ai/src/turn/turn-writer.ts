import type { Message, MessageInput, SessionKey, SessionManager } from '@sessions/core';
import type { ModelMessage } from 'ai';
import { fromModelMessages } from '../convert/model-messages.js';
import type { RunContext } from '@sessions/core';

export interface TurnWriterOptions {
  readonly runId: string;
  readonly agentId?: string;
  /** Called with each batch of messages once it is stored. */
  readonly onSaved?: (messages: Message[]) => void;
}

/**
 * Writes one turn under its lease, in order, as its steps complete. The turn's opening
 * messages (a new compaction summary, the user's input) are held back and written together
 * with the first completed step, so a turn whose first model call fails leaves nothing behind.
 * Each later write carries the response messages the SDK added since the previous one.
 */
export class TurnWriter {
  readonly stored: Message[] = [];
  readonly #context: RunContext;
  readonly #opening: MessageInput[];
  readonly #options: TurnWriterOptions;
  #openingWritten = false;
  #responseWritten = 0;

  constructor(context: RunContext, opening: MessageInput[], options: TurnWriterOptions) {
    this.#context = context;
    this.#opening = opening;
    this.#options = options;
  }

  get openingWritten(): boolean {
    return this.#openingWritten;
  }

  /** Stores the response messages not stored yet (`responseMessages` is cumulative). */
  async writeResponse(responseMessages: readonly ModelMessage[]): Promise<void> {
    const fresh = fromModelMessages(responseMessages.slice(this.#responseWritten), {
      runId: this.#options.runId,
      ...(this.#options.agentId === undefined ? {} : { agentId: this.#options.agentId }),
    });
    const records = this.#openingWritten ? fresh : [...this.#opening, ...fresh];
    if (records.length === 0) return;
    const saved = await this.#context.append(records);
    this.#openingWritten = true;
    this.#responseWritten = responseMessages.length;
    this.#record(saved);
  }

  /**
   * After a failure: stores the user's input if nothing of the turn is stored yet. Written with
   * the lease directly (the run's own `append` refuses once its signal has aborted), so it is
   * still fenced: a lost lease writes nothing.
   */
  async keepOpening(sessions: SessionManager, key: SessionKey): Promise<void> {
    if (this.#openingWritten || this.#opening.length === 0) return;
    const saved = await sessions.append(key, this.#opening, { lease: this.#context.lease });
    this.#openingWritten = true;
    this.#record(saved);
  }

  #record(saved: Message[]): void {
    this.stored.push(...saved);
    this.#options.onSaved?.(saved);
  }
}
