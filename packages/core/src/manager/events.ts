import type { SessionKey } from '../errors.js';
import type { Message } from '../models/message-model.js';
import type { Session } from '../models/session-model.js';

/** The `messages` event: messages were appended to a session through this manager. */
export interface MessagesEvent {
  readonly key: SessionKey;
  readonly messages: readonly Message[];
}

/** The `session` event: a session was created, changed, cleared, truncated or deleted through this manager. */
export interface SessionEvent {
  readonly type: 'created' | 'updated' | 'cleared' | 'truncated' | 'deleted';
  readonly key: SessionKey;
  /** The session after the change; present for `created` and `updated`. */
  readonly session?: Session;
  /** For `truncated`: the messages after this seq were deleted. */
  readonly afterSeq?: number;
}

/** The events `SessionManager.on` listens to, by name. They report this manager's own writes, not other processes'. */
export interface SessionManagerEvents {
  messages: MessagesEvent;
  session: SessionEvent;
}

type Listener<T> = (event: T) => void;

/**
 * A small typed emitter. A listener that throws does not fail the operation that emitted;
 * its error is rethrown on a later tick, where the runtime reports it like any uncaught error.
 */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[E]>)(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  hasListeners(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }
}
