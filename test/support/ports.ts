// Loopback ports in tests: occupy one as another program would, and tell whether a listener has let go of one.
import { createServer, type Server } from 'node:net';

/** Listens on the port (127.0.0.1 unless told) until the returned server is closed. */
export function occupyPort(port: number, address = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: address }, () => resolve(server));
  });
}

/** True when nothing listens on the loopback port any more. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1' }, () => probe.close(() => resolve(true)));
  });
}

export const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
