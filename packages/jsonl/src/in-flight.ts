/** The operations under way, so that `close()` can wait for them to finish and release their lock files. */
export class InFlight {
  readonly #running = new Set<Promise<unknown>>();

  track<T>(operation: () => Promise<T>): Promise<T> {
    const promise = operation();
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.then(() => this.#running.delete(settled));
    return promise;
  }

  /** Settles once every operation tracked so far has, whatever its outcome. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }
}
