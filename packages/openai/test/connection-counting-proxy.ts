import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP pass-through in front of a local server that counts the connections clients open. */
export interface ConnectionCountingProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Stops listening and destroys every open socket. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 that forwards every connection to `127.0.0.1:targetPort` and
 * counts them: the client side of keep-alive, seen from the server (`server.on('connection')`).
 */
export async function startConnectionCountingProxy(targetPort: number): Promise<ConnectionCountingProxy> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    connections += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
