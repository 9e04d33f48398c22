import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { FaultProxy } from '../src/index.js';

/** A server that echoes every chunk back upper-cased and remembers what it received. */
let echo: Server;
let received = '';
const serverSockets = new Set<Socket>();
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  echo = createServer((socket) => {
    serverSockets.add(socket);
    socket.on('close', () => serverSockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(chunk.toString().toUpperCase());
    });
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  received = '';
});
afterAll(async () => {
  for (const socket of serverSockets) socket.destroy();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

async function proxy(): Promise<FaultProxy> {
  const started = await FaultProxy.start({ host: '127.0.0.1', port: (echo.address() as { port: number }).port });
  proxies.push(started);
  return started;
}

interface Client {
  socket: Socket;
  /** Everything received so far. */
  text(): string;
  /** Resolves once `expected` has been received in full. */
  receive(expected: string): Promise<void>;
  closed: Promise<Error | undefined>;
}

async function client(port: number): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  let lastError: Error | undefined;
  socket.on('error', (error) => (lastError = error));
  const closed = new Promise<Error | undefined>((resolve) => socket.on('close', () => resolve(lastError)));
  socket.on('data', (chunk) => (text += chunk.toString()));
  await once(socket, 'connect');
  return {
    socket,
    text: () => text,
    closed,
    receive: (expected) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!text.includes(expected)) return;
          socket.off('data', check);
          resolve();
        };
        socket.on('data', check);
        check();
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FaultProxy', () => {
  it('listens on 127.0.0.1 at a free port and passes traffic both ways', async ({ expect }) => {
    const through = await proxy();
    expect(through.port).toBeGreaterThan(0);
    expect(through.mode).toEqual({ kind: 'pass' });
    const c = await client(through.port);
    c.socket.write('hello');
    await c.receive('HELLO');
    expect(received).toBe('hello');
    expect(through.connections).toBe(1);
    c.socket.destroy();
  });

  it('rewrites a URL to go through it, keeping everything but host and port', async ({ expect }) => {
    const through = await proxy();
    expect(through.url('postgres://bob@db.internal:5432/app?schema=x')).toBe(`postgres://bob@127.0.0.1:${through.port}/app?schema=x`);
  });

  it('delays each chunk by the given time, in order', async ({ expect }) => {
    const through = await proxy();
    const c = await client(through.port);
    through.delay(150);
    const started = performance.now();
    c.socket.write('slow');
    await c.receive('SLOW');
    // Each direction waits once: at least two delays for the round trip (timers never fire early by more than a tick).
    expect(performance.now() - started).toBeGreaterThanOrEqual(2 * 150 - 5);
    c.socket.destroy();
  });

  it('blackholes: holds the connection open, forwards nothing either way, and delivers what it held on pass()', async ({ expect }) => {
    const through = await proxy();
    const c = await client(through.port);
    c.socket.write('before');
    await c.receive('BEFORE');
    through.blackhole();
    c.socket.write('during');
    const late = await client(through.port); // accepted and held as well
    late.socket.write('late');
    await sleep(200);
    expect(received).toBe('before');
    expect(c.text()).toBe('BEFORE');
    expect(c.socket.destroyed).toBe(false);
    expect(late.socket.destroyed).toBe(false);
    through.pass();
    await c.receive('DURING');
    await late.receive('LATE');
    expect(c.text()).toBe('BEFOREDURING');
    c.socket.destroy();
    late.socket.destroy();
  });

  it('can blackhole only the replies: requests reach the server, answers stay held', async ({ expect }) => {
    const through = await proxy();
    const c = await client(through.port);
    through.blackhole({ only: 'replies' });
    c.socket.write('ping');
    await expect.poll(() => received).toBe('ping');
    await sleep(100);
    expect(c.text()).toBe('');
    through.pass();
    await c.receive('PING');
    c.socket.destroy();
  });

  it('resets open connections with an RST and refuses new ones until another mode is chosen', async ({ expect }) => {
    const through = await proxy();
    const c = await client(through.port);
    through.reset();
    expect((await c.closed)?.message).toMatch(/ECONNRESET/);
    expect(through.connections).toBe(0);
    const refused = connect(through.port, '127.0.0.1');
    const error = await new Promise<Error | undefined>((resolve) => {
      let seen: Error | undefined;
      refused.on('error', (caught) => (seen = caught));
      refused.on('close', () => resolve(seen));
    });
    expect(error?.message).toMatch(/ECONNRESET/);
    through.pass();
    const again = await client(through.port);
    again.socket.write('back');
    await again.receive('BACK');
    again.socket.destroy();
  });

  it('counts a burst of requests before the next reply as one round trip', async ({ expect }) => {
    const through = await proxy();
    const c = await client(through.port);
    through.blackhole({ only: 'replies' });
    c.socket.write('a');
    await expect.poll(() => received).toBe('a');
    c.socket.write('b');
    await expect.poll(() => received).toBe('ab');
    through.pass();
    await c.receive('AB');
    c.socket.write('c');
    await c.receive('C');
    expect(through.roundTrips).toBe(2);
    c.socket.destroy();
  });

  it('closes the other side when one side closes, even while blackholed', async ({ expect }) => {
    const through = await proxy();
    const c = await client(through.port);
    await expect.poll(() => serverSockets.size).toBe(1);
    through.blackhole();
    c.socket.destroy();
    await expect.poll(() => serverSockets.size).toBe(0);
    expect(through.connections).toBe(0);
  });

  it('closes idempotently, with await using too, and refuses connections afterwards', async ({ expect }) => {
    let port: number;
    let held: Client;
    {
      await using through = await FaultProxy.start({ host: '127.0.0.1', port: (echo.address() as { port: number }).port });
      port = through.port;
      held = await client(port);
      through.blackhole();
    }
    expect((await held.closed)?.message).toMatch(/ECONNRESET/);
    const refused = connect(port, '127.0.0.1');
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');

    const through = await proxy();
    await Promise.all([through.close(), through.close()]);
    await through.close();
    expect(() => through.pass()).toThrow(/closed/);
  });

  it('refuses a negative delay', async ({ expect }) => {
    const through = await proxy();
    expect(() => through.delay(-1)).toThrow(RangeError);
  });
});
