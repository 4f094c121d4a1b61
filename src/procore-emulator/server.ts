// startEmulator: listens on a loopback port (0 = any free one) and closes cleanly, held connections included.
import type { FastifyInstance } from 'fastify';
import { buildEmulatorApp, type BuildEmulatorAppOptions } from './app.js';
import { EmulatorState } from './state.js';

export interface StartEmulatorOptions extends Omit<BuildEmulatorAppOptions, 'state'> {
  host?: string;
  port?: number;
}

export interface RunningEmulator {
  /** Base URL for both the sign-in and the API side, e.g. http://127.0.0.1:41234. */
  url: string;
  port: number;
  state: EmulatorState;
  fastify: FastifyInstance;
  close(): Promise<void>;
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const state = new EmulatorState(options);
  const fastify = buildEmulatorApp({ ...options, state });
  await fastify.listen({ host, port: options.port ?? 0 });
  const address = fastify.server.address();
  if (address === null || typeof address === 'string') throw new Error('the emulator is not listening on a TCP port');
  const urlHost = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    state,
    fastify,
    close: () => (closing ??= fastify.close()),
  };
}
