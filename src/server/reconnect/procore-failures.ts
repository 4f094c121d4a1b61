// What a failed Procore call during an intake answers: 503 / 429 with Retry-After when transient, else a refusal.
import { NcsError, type ErrorCode } from '../../core/index.js';
import { isProcoreError } from '../../procore/index.js';

/** Retry-After when Procore gave none: long enough not to hammer it, short enough for a person waiting. */
const DEFAULT_RETRY_AFTER_SECONDS = { procore_unreachable: 30, rate_limited: 60 } as const;

/** A transient Procore failure as the API's 503 procore_unreachable or 429 rate_limited, or undefined. */
export function transientIntakeError(error: unknown): NcsError | undefined {
  if (!isProcoreError(error)) return undefined;
  if (error.kind === 'rate_limited') {
    return new NcsError('rate_limited', {
      message: 'Procore is rate-limiting NCS; nothing was changed. Try again after the wait.',
      retryAfterSeconds: error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS.rate_limited,
    });
  }
  // A garbled answer is Procore (or a proxy) misbehaving, not the person's doing: retry later as well.
  if (error.kind === 'unavailable' || error.kind === 'bad_response') {
    return new NcsError('procore_unreachable', {
      message: 'Procore could not be reached (or answered unusably) during the reconnect; nothing was changed.',
      retryAfterSeconds: error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS.procore_unreachable,
    });
  }
  return undefined;
}

/**
 * Maps a Procore failure of a token grant or token check: transient ones as above, the rest as the
 * given refusal (`authorization_code_rejected` or `token_rejected`). A refused client id or secret
 * (invalid_client) is our configuration, so the message says so.
 */
export function grantRefusal(error: unknown, refusal: Extract<ErrorCode, 'authorization_code_rejected' | 'token_rejected'>): NcsError {
  const transient = transientIntakeError(error);
  if (transient) return transient;
  if (isProcoreError(error) && error.kind === 'invalid_client') {
    return new NcsError(refusal, {
      message: 'Procore refused NCS\'s client credentials (invalid_client).',
      hint: 'The NCS administrator must check PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET.',
    });
  }
  if (isProcoreError(error)) {
    const because = error.description ? `: ${error.description}` : ` (${error.kind})`;
    return new NcsError(refusal, {
      message: `${refusal === 'token_rejected' ? 'Procore refused the token' : 'Procore refused the authorization code'}${because}`,
    });
  }
  throw error;
}
