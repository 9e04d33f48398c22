import { connect, createServer, type Server, type Socket } from 'node:net';
import { Lane, type Direction, type FaultMode } from './lane.js';

/** Where the proxy forwards to. */
export interface ProxyTarget {
  readonly host: string;
  readonly port: number;
}

interface ProxiedConnection {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly lanes: readonly [Lane, Lane];
}

const PASS: FaultMode = Object.freeze({ kind: 'pass' });

/**
 * A loopback TCP proxy in front of a server, for tests of what a client does when the network
 * or the server misbehaves. It listens on 127.0.0.1 (a random port) and can be switched at any
 * time between:
 * - `pass()`: forwards everything (and delivers whatever an earlier mode held back);
 * - `delay(ms)`: forwards each chunk `ms` after the one before it;
 * - `blackhole()`: keeps connections (old and new) open but forwards nothing, in both directions
 *   or one: a server that stops answering without closing;
 * - `reset()`: destroys every connection with a TCP RST and refuses new ones the same way.
 *
 * A side that closes its socket closes the other, whatever the mode, so the server frees what
 * the client held once the client gives up.
 *
 * @example
 * await using proxy = await FaultProxy.start({ host: '127.0.0.1', port: 5432 })
 * const engine = new PostgresEngine({ connectionString: proxy.url(POSTGRES_URL) })
 * await engine.setup()
 * proxy.blackhole() // the server goes silent; the next query must time out
 */
export class FaultProxy implements AsyncDisposable {
  /**
   * Round trips seen so far: a burst of requests the client sends before the next reply reaches
   * it counts once, so pipelined commands count as one.
   */
  roundTrips = 0;
  readonly #server: Server;
  readonly #target: ProxyTarget;
  readonly #connections = new Set<ProxiedConnection>();
  readonly #awaitingReply = new WeakMap<Socket, boolean>();
  #mode: FaultMode = PASS;
  #closing: Promise<void> | undefined;

  private constructor(target: ProxyTarget) {
    this.#target = Object.freeze({ host: target.host, port: target.port });
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Starts a proxy on 127.0.0.1 at a free port, forwarding to `target`. */
  static async start(target: ProxyTarget): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => {
        proxy.#server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  /** Starts a proxy in front of the host and port of a server URL (`defaultPort` when it has none). */
  static forUrl(url: string, defaultPort: number): Promise<FaultProxy> {
    const parsed = new URL(url);
    return FaultProxy.start({ host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || defaultPort) });
  }

  get port(): number {
    const address = this.#server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the proxy is not listening');
    return address.port;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.#connections.size;
  }

  /** `url` with its host and port replaced by the proxy's; everything else kept. */
  url(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  pass(): void {
    this.#switch(PASS);
  }

  delay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay takes a number of milliseconds >= 0, got ${ms}`);
    this.#switch(Object.freeze({ kind: 'delay', ms }));
  }

  /** Holds traffic in both directions, or only `options.only`; `pass()` delivers what was held. */
  blackhole(options: { only?: Direction } = {}): void {
    const held: Direction[] = options.only ? [options.only] : ['requests', 'replies'];
    this.#switch(Object.freeze({ kind: 'blackhole', held: Object.freeze(held) }));
  }

  /** Resets every open connection (TCP RST) and refuses new ones until another mode is chosen. */
  reset(): void {
    this.#switch(Object.freeze({ kind: 'reset' }));
    for (const connection of this.#connections) this.#drop(connection);
  }

  /** Stops listening and resets every connection. Safe to call again. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#mode = Object.freeze({ kind: 'reset' });
      this.#server.close(() => resolve());
      for (const connection of this.#connections) this.#drop(connection);
    });
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #switch(mode: FaultMode): void {
    if (this.#closing) throw new Error('the proxy is closed');
    this.#mode = mode;
    for (const connection of this.#connections) for (const lane of connection.lanes) lane.pump();
  }

  #accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.#mode.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.#target.port, this.#target.host);
    upstream.on('error', () => undefined);
    const mode = () => this.#mode;
    const requests = new Lane('requests', upstream, mode);
    const replies = new Lane('replies', client, mode, () => this.#awaitingReply.set(client, false));
    const connection: ProxiedConnection = { client, upstream, lanes: [requests, replies] };
    this.#connections.add(connection);
    client.on('data', (chunk: Buffer) => {
      if (!this.#awaitingReply.get(client)) {
        this.roundTrips++;
        this.#awaitingReply.set(client, true);
      }
      requests.push(chunk);
    });
    upstream.on('data', (chunk: Buffer) => replies.push(chunk));
    const closeBoth = () => {
      this.#connections.delete(connection);
      requests.stop();
      replies.stop();
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
  }

  #drop(connection: ProxiedConnection): void {
    this.#connections.delete(connection);
    for (const lane of connection.lanes) lane.stop();
    for (const socket of [connection.client, connection.upstream]) {
      if (socket.destroyed) continue;
      // An upstream still connecting cannot send an RST yet; destroying it is enough.
      if (socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
    }
  }
}
