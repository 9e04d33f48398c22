/**
 * Events of one streamed turn, kept so that any number of consumers, starting at any time,
 * each see all of them in order; a failure is delivered after the events before it.
 */
export class EventBuffer<T> {
  readonly #events: T[] = [];
  #ended = false;
  #failure: { error: unknown } | undefined;
  #wake: (() => void)[] = [];

  push(event: T): void {
    if (this.#ended) return;
    this.#events.push(event);
    this.#notify();
  }

  close(): void {
    this.#ended = true;
    this.#notify();
  }

  fail(error: unknown): void {
    if (this.#ended) return;
    this.#failure = { error };
    this.#ended = true;
    this.#notify();
  }

  async *read(): AsyncGenerator<T, void, undefined> {
    let index = 0;
    for (;;) {
      if (index < this.#events.length) {
        yield this.#events[index++]!;
        continue;
      }
      if (this.#ended) {
        if (this.#failure) throw this.#failure.error;
        return;
      }
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const resolve of wake) resolve();
  }
}
