import { connect, createServer } from 'node:net';

/**
 * A loopback proxy that counts round trips: a burst of requests a client sends before the
 * next reply arrives counts once, however many commands it holds (a pipeline is one).
 */
export async function startCounter(target) {
  let roundTrips = 0;
  const sockets = new Set();
  const server = createServer((clientSocket) => {
    const upstream = connect(target.port, target.host);
    let awaiting = false;
    for (const socket of [clientSocket, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    clientSocket.on('data', (chunk) => {
      if (!awaiting) {
        roundTrips++;
        awaiting = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      awaiting = false;
      clientSocket.write(chunk);
    });
    clientSocket.on('close', () => upstream.destroy());
    upstream.on('close', () => clientSocket.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    get roundTrips() {
      return roundTrips;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
