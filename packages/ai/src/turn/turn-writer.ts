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
 * with the first completed step. Each later write carries the response messages the SDK added
 * since the previous one. A turn that fails is taken back with `takeBack`.
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
   * After a failure: takes the turn back, so the session holds what it held before the turn
   * (with `keepOpening`, plus the turn's opening: a new summary and the user's input). Steps
   * already stored are removed with one atomic truncate after the last message to keep; when
   * nothing is stored yet and the opening is to be kept, the opening is appended. Written with
   * the lease directly (the run's own `append` and `truncate` refuse once its signal has
   * aborted), so it is still fenced: a lost lease writes nothing.
   */
  async takeBack(sessions: SessionManager, key: SessionKey, options: { keepOpening: boolean }): Promise<void> {
    const lease = this.#context.lease;
    const first = this.stored[0];
    if (!first) {
      if (!options.keepOpening || this.#opening.length === 0) return;
      const saved = await sessions.append(key, this.#opening, { lease });
      this.#openingWritten = true;
      this.#record(saved);
      return;
    }
    // The opening went out with the first step, in one append: it is the first stored messages.
    const kept = options.keepOpening ? this.#opening.length : 0;
    const afterSeq = kept > 0 ? this.stored[kept - 1]!.seq : first.seq - 1;
    if (afterSeq >= this.stored.at(-1)!.seq) return;
    await sessions.truncate(key, { afterSeq }, { lease });
    this.stored.splice(kept);
  }

  #record(saved: Message[]): void {
    this.stored.push(...saved);
    this.#options.onSaved?.(saved);
  }
}
