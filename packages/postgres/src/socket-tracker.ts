import type { Socket } from 'node:net';

/**
 * The sockets of a pool the engine created (handed to the driver through its `stream` option),
 * so `close()` can destroy whatever a silent server leaves open once it has waited long enough.
 */
export class SocketTracker {
  readonly #open = new Set<Socket>();

  /** Keeps `socket` until it closes, and returns it. */
  track(socket: Socket): Socket {
    this.#open.add(socket);
    socket.once('close', () => this.#open.delete(socket));
    return socket;
  }

  /** Resolves once every socket has closed. */
  async allClosed(): Promise<void> {
    await Promise.all([...this.#open].map((socket) => new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve)))));
  }

  destroyAll(): void {
    // With an error: a driver waits for 'connect' or 'error' on a socket still connecting, and a
    // silent destroy would leave that wait to its connect timeout.
    const reason = Object.assign(new Error("connection closed by the engine's close()"), { code: 'ECONNABORTED' });
    for (const socket of this.#open) socket.destroy(reason);
  }
}
