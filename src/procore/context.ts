// What the OAuth and REST halves of the client share: normalized configuration, the transport, clock and sleep.
import type { Transport } from './http.js';
import type { ProcoreLogger } from './types.js';

export interface ClientContext {
  /** Without trailing slashes, so paths join with a single '/'. */
  loginUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  transport: Transport;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  logger?: ProcoreLogger;
}

/** `base` + `path` (+ query) as a URL, keeping any path prefix of the configured host. */
export function urlFor(base: string, path: string, query?: Record<string, string>): URL {
  const url = new URL(base + path);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  return url;
}
