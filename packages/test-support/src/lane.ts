import type { Socket } from 'node:net';

/** Which way bytes travel through the proxy: client to server, or server to client. */
export type Direction = 'requests' | 'replies';

/** What the proxy currently does with traffic. */
export type FaultMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'blackhole'; readonly held: readonly Direction[] }
  | { readonly kind: 'reset' };

/**
 * One direction of one proxied connection. Chunks queue here and leave in order, as the
 * proxy's current mode allows: at once, one every `ms`, or not at all while held. Held chunks
 * are kept, not dropped, so switching back to pass delivers them (a stalled server that
 * wakes up), and the byte stream is never corrupted.
 */
export class Lane {
  readonly direction: Direction;
  readonly #to: Socket;
  readonly #mode: () => FaultMode;
  readonly #delivered: (chunk: Buffer) => void;
  readonly #queue: Buffer[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(direction: Direction, to: Socket, mode: () => FaultMode, delivered: (chunk: Buffer) => void = () => undefined) {
    this.direction = direction;
    this.#to = to;
    this.#mode = mode;
    this.#delivered = delivered;
  }

  /** Bytes waiting in this lane. */
  get pending(): number {
    return this.#queue.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  push(chunk: Buffer): void {
    this.#queue.push(chunk);
    this.pump();
  }

  /** Sends what the current mode lets through; called again whenever the mode changes. */
  pump(): void {
    // A delayed chunk is on its way; the lane continues when it has been delivered.
    if (this.#timer !== undefined) return;
    while (this.#queue.length > 0) {
      const mode = this.#mode();
      if (mode.kind === 'reset') {
        this.#queue.length = 0;
        return;
      }
      if (mode.kind === 'blackhole' && mode.held.includes(this.direction)) return;
      const chunk = this.#queue.shift()!;
      if (mode.kind === 'delay') {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#deliver(chunk);
          this.pump();
        }, mode.ms);
        return;
      }
      this.#deliver(chunk);
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
  }

  #deliver(chunk: Buffer): void {
    if (this.#to.destroyed) return;
    this.#to.write(chunk);
    this.#delivered(chunk);
  }
}
