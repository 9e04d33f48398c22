/**
 * The part of a `node:net` socket the tracker uses, so core needs no `node:*` import: an adapter
 * passes its driver's sockets, and gets each back with its own type.
 */
export interface TrackedSocket {
  readonly destroyed: boolean;
  once(event: 'close', listener: () => void): unknown;
  destroy(error?: Error): unknown;
}

/**
 * The sockets of a pool the engine created (handed to the driver through its `stream` option),
 * so `close()` can destroy whatever a silent server leaves open once it has waited long enough.
 */
export class SocketTracker {
  readonly #open = new Set<TrackedSocket>();

  /** Keeps `socket` until it closes, and returns it. */
  track<S extends TrackedSocket>(socket: S): S {
    this.#open.add(socket);
    socket.once('close', () => this.#open.delete(socket));
    return socket;
  }

  /** Resolves once every socket has closed. */
  async allClosed(): Promise<void> {
    await Promise.all([...this.#open].map((socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', resolve)))));
  }

  destroyAll(): void {
    // With an error: a driver waits for 'connect' or 'error' on a socket still connecting, and a
    // silent destroy would leave that wait to its connect timeout.
    const reason = Object.assign(new Error("connection closed by the engine's close()"), { code: 'ECONNABORTED' });
    for (const socket of this.#open) socket.destroy(reason);
  }
}
