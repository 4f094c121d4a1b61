// The token endpoint's two grants (RFC 6749 4.1.3 and 6): checks, rotation, and reuse detection.
import type { EmulatorState } from './state.js';
import type { TokenPair } from './tokens.js';

/** RFC 6749 5.2's description of invalid_grant, which Procore's OAuth server (Doorkeeper) sends verbatim. */
export const INVALID_GRANT_DESCRIPTION =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
export const REFRESH_TOKEN_EXPIRED_DESCRIPTION = 'The refresh token has expired.';

/** Codes are single use and live 10 minutes (Procore's oauth_endpoints.md). */
export const AUTHORIZATION_CODE_TTL_MS = 10 * 60 * 1000;

export type GrantOutcome =
  | { ok: true; pair: TokenPair }
  | { ok: false; error: 'invalid_grant'; description: string };

const invalidGrant = (description = INVALID_GRANT_DESCRIPTION): GrantOutcome => ({ ok: false, error: 'invalid_grant', description });

/** The client is already authenticated as `clientId`. */
export function redeemAuthorizationCode(
  state: EmulatorState,
  input: { clientId: string; code: string; redirectUri: string },
): GrantOutcome {
  const now = state.now();
  const code = state.tokens.findCode(input.code);
  if (!code || code.clientId !== input.clientId) return invalidGrant();
  if (code.used) {
    // RFC 6749 4.1.2: a code presented twice may be stolen, so what it bought is withdrawn.
    if (code.redeemedFor) state.tokens.revokeChain(code.redeemedFor.chainId);
    return invalidGrant();
  }
  if (now - code.createdAt > AUTHORIZATION_CODE_TTL_MS) return invalidGrant();
  if (code.redirectUri !== input.redirectUri) return invalidGrant();
  if (!state.world.accounts.has(code.accountId)) return invalidGrant();
  code.used = true;
  const pair = state.tokens.mint({
    accountId: code.accountId,
    clientId: code.clientId,
    redirectUri: code.redirectUri,
    ttlSeconds: state.settings.accessTokenTtlSeconds,
    now,
  });
  code.redeemedFor = pair;
  return { ok: true, pair };
}

/** The client is already authenticated as `clientId`; `redirectUri`, when sent, must be registered. */
export function refreshAccessToken(
  state: EmulatorState,
  input: { clientId: string; refreshToken: string; redirectUri?: string },
): GrantOutcome {
  if (input.redirectUri !== undefined && !state.app.redirectUris.includes(input.redirectUri)) return invalidGrant();
  const old = state.tokens.findByRefreshToken(input.refreshToken);
  // A token of another app is not this client's to use, and its state is none of this client's business.
  if (!old || old.clientId !== input.clientId) return invalidGrant();
  switch (old.status) {
    case 'rotated':
      // Reuse: the token was stolen or the client lost a rotation. Either way the chain is no longer trusted.
      state.stats.refreshTokenReuse += 1;
      state.tokens.revokeChain(old.chainId);
      return invalidGrant();
    case 'revoked':
      return invalidGrant();
    case 'expired':
      return invalidGrant(REFRESH_TOKEN_EXPIRED_DESCRIPTION);
    case 'live':
      break;
  }
  if (!state.world.accounts.has(old.accountId)) return invalidGrant();
  // Rotation: the old pair dies at once, even if the answer never reaches the client.
  old.status = 'rotated';
  const pair = state.tokens.mint({
    accountId: old.accountId,
    clientId: old.clientId,
    redirectUri: input.redirectUri ?? old.redirectUri,
    ttlSeconds: state.settings.accessTokenTtlSeconds,
    now: state.now(),
    chainId: old.chainId,
  });
  return { ok: true, pair };
}
