// Reading Procore's answers: JSON bodies, Retry-After and rate-limit headers, and non-2xx statuses as ProcoreError.
import type { IncomingHttpHeaders } from 'node:http';
import { ProcoreError, redactSecrets } from './errors.js';
import type { HttpResponse } from './http.js';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 allows both); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Seconds until X-Rate-Limit-Reset (unix seconds); undefined when absent or unreadable. */
export function secondsUntilRateLimitReset(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Math.max(0, Math.ceil(Number(value.trim()) - nowMs / 1000));
}

/**
 * The wait a 429 asks for. Procore's pages disagree on whether Retry-After or only X-Rate-Limit-Reset
 * comes with it (PROCORE.md): honour both, and when both are present wait for the later one, which
 * satisfies either reading.
 */
export function rateLimitWaitSeconds(headers: IncomingHttpHeaders, nowMs: number): number | undefined {
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'), nowMs);
  const reset = secondsUntilRateLimitReset(header(headers, 'x-rate-limit-reset'), nowMs);
  if (retryAfter === undefined) return reset;
  if (reset === undefined) return retryAfter;
  return Math.max(retryAfter, reset);
}

export function parseJsonBody(response: HttpResponse, operation: string): unknown {
  try {
    return JSON.parse(response.body);
  } catch {
    throw new ProcoreError('bad_response', `Procore answered ${operation} with a body that is not JSON (status ${response.status})`, {
      status: response.status,
    });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An OAuth error body (`{"error", "error_description"}`), or undefined when the body is something else. */
export function readOAuthError(body: string): { error: string; description?: string } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(json) || typeof json.error !== 'string') return undefined;
  return { error: json.error, description: typeof json.error_description === 'string' ? json.error_description : undefined };
}

/**
 * The ProcoreError for a non-2xx answer. On OAuth endpoints an OAuth error body is read first (the token
 * endpoint answers invalid_grant and invalid_client with 400 or 401); REST bodies are never read as OAuth
 * errors, so a 403 whose body happens to carry an `error` field stays `forbidden`. Then the status decides.
 */
export function errorFromResponse(
  response: HttpResponse,
  operation: string,
  nowMs: number,
  endpoint: 'oauth' | 'rest',
  secrets: readonly string[],
): ProcoreError {
  const { status } = response;
  const oauth = endpoint === 'oauth' ? readOAuthError(response.body) : undefined;
  if (oauth && status >= 400 && status < 500 && status !== 429) {
    if (oauth.description !== undefined) oauth.description = redactSecrets(oauth.description, secrets);
    const message = `Procore refused ${operation}: ${oauth.error}${oauth.description ? ` (${oauth.description})` : ''}`;
    const kind = oauth.error === 'invalid_grant' ? 'invalid_grant'
      : oauth.error === 'invalid_client' || oauth.error === 'unauthorized_client' ? 'invalid_client'
      : status === 401 ? 'unauthorized' // Doorkeeper's invalid_token on a resource call
      : 'oauth_error';
    return new ProcoreError(kind, message, { status, oauthError: oauth.error, description: oauth.description });
  }
  if (status === 401) return new ProcoreError('unauthorized', `Procore refused the access token (401) for ${operation}`, { status });
  if (status === 403) return new ProcoreError('forbidden', `Procore denied access (403) to ${operation}`, { status });
  if (status === 404) return new ProcoreError('not_found', `Procore found nothing the account may see (404) at ${operation}`, { status });
  if (status === 429) {
    const retryAfterSeconds = rateLimitWaitSeconds(response.headers, nowMs);
    const wait = retryAfterSeconds === undefined ? 'no wait given' : `retry after ${retryAfterSeconds} s`;
    return new ProcoreError('rate_limited', `Procore is rate-limiting (429) ${operation}: ${wait}`, { status, retryAfterSeconds });
  }
  if (status >= 500) {
    const retryAfterSeconds = parseRetryAfter(header(response.headers, 'retry-after'), nowMs);
    return new ProcoreError('unavailable', `Procore failed (${status}) on ${operation}`, {
      status,
      retryAfterSeconds,
      mayHaveReachedProcore: true, // a gateway's 5xx does not prove the backend did nothing
    });
  }
  return new ProcoreError('bad_response', `Procore answered ${operation} with an unexpected status ${status}`, { status });
}
