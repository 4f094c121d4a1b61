// SPEC 4.4 classification: what a failed refresh or API call means for the (project, account) result.
import type { AccountResult, TransientReason } from '../core/index.js';
import { isProcoreError } from './errors.js';

/** A result to record, a transient condition, or (API only) "refresh once under the lease and retry". */
export type RefreshFailureClass = Extract<AccountResult, 'token_expired' | 'token_revoked' | 'unknown'> | TransientReason;
export type ApiFailureClass =
  | Extract<AccountResult, 'token_expired' | 'token_revoked' | 'permission_denied' | 'unknown'>
  | TransientReason
  | 'needs_refresh';

/**
 * Procore documents no expiry wording; the RFC 6749 sentence ("…invalid, expired, revoked…") and any
 * text naming a revocation count as revoked. Only a plain "has expired" is an expiry.
 */
export function classifyInvalidGrantDescription(description: string | undefined): 'token_expired' | 'token_revoked' {
  const text = description ?? '';
  return /\bhas expired\b/i.test(text) && !/revoked/i.test(text) ? 'token_expired' : 'token_revoked';
}

/**
 * A failed refresh grant: invalid_grant → token_expired or token_revoked; transient → procore_unreachable /
 * rate_limited (nothing is recorded for the account); anything else (invalid_client, bad_response: our
 * configuration or Procore's answer, not the account) → unknown.
 */
export function classifyRefreshFailure(err: unknown): RefreshFailureClass {
  if (!isProcoreError(err)) return 'unknown';
  switch (err.kind) {
    case 'invalid_grant':
      return classifyInvalidGrantDescription(err.description);
    case 'unavailable':
      return 'procore_unreachable';
    case 'rate_limited':
      return 'rate_limited';
    default:
      return 'unknown';
  }
}

/**
 * A failed API call. A 401 on a token obtained in the current operation means Procore no longer honours
 * the grant (token_revoked); on an older token it first asks for one refresh and one retry.
 */
export function classifyApiFailure(err: unknown, context: { freshToken: boolean }): ApiFailureClass {
  if (isProcoreError(err)) {
    if (err.kind === 'unauthorized') return context.freshToken ? 'token_revoked' : 'needs_refresh';
    if (err.kind === 'forbidden' || err.kind === 'not_found') return 'permission_denied';
  }
  // The rest reads as it does for a refresh grant: invalid_grant by its description, transient kinds as such.
  return classifyRefreshFailure(err);
}
