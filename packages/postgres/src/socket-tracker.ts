import { Socket } from 'node:net';

/**
 * Makes the sockets of the pool the engine creates (pg's `stream` factory), so `close()` can
 * destroy whatever a silent server leaves open once it has waited long enough.
 */
export class SocketTracker {
  readonly #open = new Set<Socket>();

  /** For pg's `stream` option: a fresh, unconnected socket that pg connects. */
  readonly create = (): Socket => {
    const socket = new Socket();
    this.#open.add(socket);
    socket.once('close', () => this.#open.delete(socket));
    return socket;
  };

  /** Resolves once every socket has closed. */
  async allClosed(): Promise<void> {
    await Promise.all([...this.#open].map((socket) => new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve)))));
  }

  destroyAll(): void {
    // With an error: pg waits for 'connect' or 'error' on a socket still connecting, and a
    // silent destroy would leave that wait to its connect timeout.
    const reason = Object.assign(new Error('connection closed by the engine\'s close()'), { code: 'ECONNABORTED' });
    for (const socket of this.#open) socket.destroy(reason);
  }
}
