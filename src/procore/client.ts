// createProcoreClient: wires configuration, transport, OAuth and REST calls into one injectable client.
import { createTransport } from './http.js';
import { createOAuthCalls } from './oauth.js';
import { createRestCalls } from './rest.js';
import type { ClientContext } from './context.js';
import type { ProcoreClientConfig } from './types.js';

export const DEFAULT_TIMEOUT_MS = 20_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function baseUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${name} must be http or https`);
  if (url.search || url.hash) throw new TypeError(`${name} must not have a query or fragment`);
  return url.toString().replace(/\/+$/, '');
}

export function createProcoreClient(config: ProcoreClientConfig) {
  const transport = createTransport({
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    env: config.env ?? process.env,
    logger: config.logger,
  });
  const ctx: ClientContext = {
    loginUrl: baseUrl(config.loginUrl, 'loginUrl'),
    apiUrl: baseUrl(config.apiUrl, 'apiUrl'),
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    transport,
    sleep: config.sleep ?? defaultSleep,
    now: config.now ?? Date.now,
    logger: config.logger,
  };
  return {
    ...createOAuthCalls(ctx),
    ...createRestCalls(ctx),
    /** Closes kept-alive proxy tunnels; the client must not be used afterwards. */
    close(): void {
      transport.close();
    },
  };
}

export type ProcoreClient = ReturnType<typeof createProcoreClient>;
