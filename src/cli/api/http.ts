// The one place that talks HTTP to the NCS server: got (loaded on first use), proxies, the --verbose trace, transport errors.
import type { IncomingHttpHeaders } from 'node:http';
import { redactText } from '../../core/redact.js';
import type { Env } from '../config/paths.js';
import { CliError } from '../errors.js';
import { proxyAgentsFor, proxyForUrl, type RequestAgents } from './proxy.js';
import type { Tracer } from './trace.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path under the server origin, starting with `/api/v1/`. */
  path: string;
  searchParams?: Record<string, string | number | undefined>;
  json?: unknown;
  token?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
  close(): void;
}

export interface TransportOptions {
  origin: string;
  env: Env;
  userAgent: string;
  timeoutMs: number;
  tracer?: Tracer;
}

/** TLS failures that mean "this machine does not trust the server's certificate". */
const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function buildUrl(origin: string, request: Pick<HttpRequest, 'path' | 'searchParams'>): string {
  const url = new URL(request.path, origin);
  for (const [name, value] of Object.entries(request.searchParams ?? {})) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  return url.toString();
}

export function createHttpTransport(options: TransportOptions): HttpTransport {
  let client: Promise<import('got').Got> | undefined;
  let agents: Promise<RequestAgents | undefined> | undefined;

  const getClient = () =>
    (client ??= import('got').then(({ default: got }) =>
      got.extend({
        retry: { limit: 0 }, // a failure is reported at once; the user or script decides to retry
        throwHttpErrors: false,
        followRedirect: false, // never carry the bearer token to another address
        responseType: 'text',
        headers: { 'user-agent': options.userAgent, accept: 'application/json' },
      }),
    ));
  // Every request goes to the one origin, so the proxy decision is made once.
  const getAgents = () => (agents ??= proxyAgentsFor(options.origin, options.env));

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const url = buildUrl(options.origin, request);
    const [got, requestAgents] = await Promise.all([getClient(), getAgents()]);
    const headers: Record<string, string> = {};
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    const body = request.json === undefined ? undefined : JSON.stringify(request.json);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = request.timeoutMs ?? options.timeoutMs;
    if (options.tracer) options.tracer.request(request.method, url, headers, body, requestAgents ? await proxyForUrl(options.origin, options.env) : undefined);
    const startedAt = Date.now();
    try {
      const response = await got(url, {
        method: request.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        timeout: { request: timeoutMs },
        ...(requestAgents ? { agent: requestAgents } : {}),
      });
      options.tracer?.response(response.statusCode, response.statusMessage ?? '', Date.now() - startedAt, response.headers, response.body);
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (err) {
      options.tracer?.failure(`${request.method} ${url} failed: ${(err as Error).message}`, Date.now() - startedAt);
      throw transportError(err, options.origin, timeoutMs);
    }
  }

  return {
    send,
    close() {
      void agents?.then((a) => {
        a?.http.destroy();
        a?.https.destroy();
      });
    },
  };
}

/** A request that got no HTTP answer: unreachable server (exit 7), with the likely cause named. */
export function transportError(err: unknown, origin: string, timeoutMs: number): CliError {
  const code = String((err as { code?: unknown }).code ?? '');
  const name = (err as Error)?.name;
  if (name === 'TimeoutError' || code === 'ETIMEDOUT') {
    return new CliError('server_unreachable', { message: `The NCS server at ${origin} did not answer within ${Math.round(timeoutMs / 1000)} s.`, cause: err });
  }
  if (TLS_TRUST_CODES.has(code)) {
    return new CliError('server_unreachable', {
      message: `The TLS certificate of ${origin} is not trusted here (${code}).`,
      hint: 'If your organisation uses its own certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file.',
      cause: err,
    });
  }
  const what = code === 'ECONNREFUSED' ? 'refused the connection' : code === 'ENOTFOUND' ? 'has a host name that does not resolve' : `could not be reached (${code || redactText((err as Error)?.message ?? String(err))})`;
  return new CliError('server_unreachable', { message: `The NCS server at ${origin} ${what}.`, cause: err });
}
