// The one place that talks HTTP to Procore: got without its own retries, proxy agents, trace logging, transport errors.
import got, { RequestError, TimeoutError } from 'got';
import type { IncomingHttpHeaders } from 'node:http';
import { redactText } from '../core/index.js';
import { ProcoreError, sanitizeCause } from './errors.js';
import { createProxyAgents } from './proxy.js';
import type { ProcoreLogger } from './types.js';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  /** Sent form-encoded, as Procore's OAuth documentation does. */
  form?: Record<string, string>;
  /** Values of this request (token, code, client secret) to scrub from any error it produces. */
  secrets?: readonly string[];
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TransportOptions {
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  logger?: ProcoreLogger;
}

/** Connection failures that prove the request never left: nothing can have reached Procore. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

export function createTransport(options: TransportOptions) {
  const proxies = createProxyAgents(options.env);
  const client = got.extend({
    retry: { limit: 0 }, // retries are ours (SPEC 4.4): counted, spaced and skipped for the refresh grant
    throwHttpErrors: false,
    followRedirect: false, // Procore does not redirect API calls; following one could carry the bearer elsewhere
    timeout: { request: options.timeoutMs },
    responseType: 'text',
    headers: { 'user-agent': 'ncs (Newforma Connector Service)', accept: 'application/json' },
  });

  async function send(request: HttpRequest, attempt = 0): Promise<HttpResponse> {
    const url = request.url.toString();
    const agents = proxies.agentsFor(url);
    const startedAt = Date.now();
    const trace = { method: request.method, url: redactText(url), attempt, proxied: agents !== undefined };
    try {
      const response = await client(url, {
        method: request.method,
        headers: request.headers,
        ...(request.form ? { form: request.form } : {}),
        ...(agents ? { agent: agents } : {}),
      });
      options.logger?.debug({ ...trace, status: response.statusCode, durationMs: Date.now() - startedAt }, 'procore request');
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      options.logger?.debug({ ...trace, error: code ?? 'unknown', durationMs: Date.now() - startedAt }, 'procore request failed');
      if (!(err instanceof RequestError)) throw err;
      const what = err instanceof TimeoutError ? `timed out after ${options.timeoutMs} ms` : `failed (${String(code ?? err.name)})`;
      throw new ProcoreError('unavailable', `Procore could not be reached: ${request.method} ${pathOf(request.url)} ${what}`, {
        mayHaveReachedProcore: typeof code === 'string' ? !NOT_SENT_CODES.has(code) : true,
        cause: sanitizeCause(err, request.secrets),
      });
    }
  }

  return { send, close: () => proxies.destroy() };
}

export type Transport = ReturnType<typeof createTransport>;

/** The path and query for messages, redacted (queries can hold codes or tokens in principle). */
export function pathOf(url: URL): string {
  return redactText(url.pathname + url.search);
}
