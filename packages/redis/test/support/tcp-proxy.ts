import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of Redis. It counts round trips (a burst of requests the
 * client sends before the next reply arrives counts once), can hold replies back so a
 * command stays in flight, and can cut every connection and refuse new ones.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #held: Array<() => void> = [];
  #cut = false;
  #holding = false;
  #awaitingReply = new WeakMap<Socket, boolean>();
  roundTrips = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy!: TcpProxy;
    const server = createServer((client) => proxy.#accept(client, target));
    proxy = new TcpProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the proxy is not listening');
    return address.port;
  }

  /** The Redis URL through this proxy. */
  url(redisUrl: string): string {
    const parsed = new URL(redisUrl);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  #accept(client: Socket, target: { host: string; port: number }): void {
    if (this.#cut) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk) => {
      if (!this.#awaitingReply.get(client)) {
        this.roundTrips++;
        this.#awaitingReply.set(client, true);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      const deliver = () => {
        this.#awaitingReply.set(client, false);
        if (!client.destroyed) client.write(chunk);
      };
      if (this.#holding) this.#held.push(deliver);
      else deliver();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /** Replies stop reaching clients until `release()`, so commands sent now stay in flight. */
  hold(): void {
    this.#holding = true;
  }

  release(): void {
    this.#holding = false;
    for (const deliver of this.#held.splice(0)) deliver();
  }

  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): void {
    this.#cut = true;
    this.#held.length = 0;
    this.#holding = false;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
