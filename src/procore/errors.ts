// ProcoreError: every failure of a Procore call as one class with a stable `kind`, safe to log and show.
import { redactText, SECRET_FIELD_NAMES } from '../core/index.js';

/** `name=value` for secret names anywhere in free text, not only after `?` or `&` as redactText catches. */
const SECRET_ASSIGNMENT = new RegExp(`(\\b(?:${SECRET_FIELD_NAMES.join('|')})=)[^&#\\s"]*`, 'gi');

/**
 * Stable kinds callers key on (never on message text).
 * `oauth_error` covers OAuth error codes other than invalid_grant / invalid_client
 * (invalid_request, unsupported_grant_type…): our request was wrong, not the account.
 */
export const PROCORE_ERROR_KINDS = [
  'invalid_grant',
  'invalid_client',
  'oauth_error',
  'unauthorized',
  'forbidden',
  'not_found',
  'rate_limited',
  'unavailable',
  'bad_response',
] as const;
export type ProcoreErrorKind = (typeof PROCORE_ERROR_KINDS)[number];

export interface ProcoreErrorOptions {
  status?: number;
  /** OAuth `error_description`, redacted; classification of invalid_grant reads it. */
  description?: string;
  /** The OAuth `error` code as Procore sent it, when the answer was an OAuth error. */
  oauthError?: string;
  retryAfterSeconds?: number;
  /** Set on token-endpoint failures where Procore may have processed the grant (the rotation may be spent). */
  mayHaveReachedProcore?: boolean;
  cause?: unknown;
}

export class ProcoreError extends Error {
  readonly kind: ProcoreErrorKind;
  readonly status?: number;
  readonly description?: string;
  readonly oauthError?: string;
  readonly retryAfterSeconds?: number;
  readonly mayHaveReachedProcore?: boolean;

  constructor(kind: ProcoreErrorKind, message: string, options: ProcoreErrorOptions = {}) {
    // Messages may quote URLs or Procore's text: redact here so no caller can forget to.
    super(redactSecrets(message, []), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProcoreError';
    this.kind = kind;
    this.status = options.status;
    this.description = options.description === undefined ? undefined : redactSecrets(options.description, []);
    this.oauthError = options.oauthError;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.mayHaveReachedProcore = options.mayHaveReachedProcore;
  }
}

export function isProcoreError(err: unknown): err is ProcoreError {
  return err instanceof ProcoreError;
}

/** Transient failures say nothing about the account: they never fail over and never make a project lost. */
export function isTransient(err: unknown): boolean {
  return isProcoreError(err) && (err.kind === 'unavailable' || err.kind === 'rate_limited');
}

/** What the client retries by itself: 5xx, timeouts and connection errors; 429 is left to the caller. */
export function isRetryable(err: unknown): err is ProcoreError {
  return isProcoreError(err) && err.kind === 'unavailable';
}

/**
 * A copy of a transport error that keeps its code and redacted message but drops the request options,
 * which hold the bearer token, the client secret and the refresh token.
 */
export function sanitizeCause(err: unknown, secrets: readonly string[] = []): Error {
  const source = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redactSecrets(source.message, secrets)) as Error & { code?: string };
  copy.name = source.name;
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') copy.code = code;
  return copy;
}

/**
 * redactText, plus the exact secrets of the request at hand: Procore may echo a token or code in free
 * text (an error_description), where no URL or header pattern would catch it.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  return redactText(out).replace(SECRET_ASSIGNMENT, '$1[REDACTED]');
}
