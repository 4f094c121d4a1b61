// Procore's OAuth 2.0 endpoints: authorize URL, code and refresh grants, revoke, token info; token responses validated.
import type { ProcoreTokenResponse } from '../core/index.js';
import { ProcoreError } from './errors.js';
import { pathOf } from './http.js';
import { toIdString } from './ids.js';
import { errorFromResponse, isRecord, parseJsonBody } from './responses.js';
import { withRetries } from './retry.js';
import { urlFor, type ClientContext } from './context.js';
import type { ProcoreTokenInfo, ProcoreTokenSet } from './types.js';

/** Unix seconds beyond this (year 5138) mean milliseconds were sent: refuse rather than never refresh. */
const MAX_PLAUSIBLE_UNIX_SECONDS = 1e11;

function badToken(reason: string): ProcoreError {
  // Names the field, never its value: the value may be a live token.
  return new ProcoreError('bad_response', `Procore's token response is not usable: ${reason}`);
}

function positiveSeconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function unixSeconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 && n < MAX_PLAUSIBLE_UNIX_SECONDS ? n : undefined;
}

/**
 * Validates Procore's snake_case token response (from the token endpoint, or pushed raw by an admin) and
 * turns it into a token set. Expiry always comes from `created_at` + `expires_in` as Procore answered
 * (its lifetime has changed before); a response without `created_at` counts from `nowMs`.
 */
export function parseTokenResponse(json: unknown, nowMs: number = Date.now()): ProcoreTokenSet {
  if (!isRecord(json)) throw badToken('not a JSON object');
  const response = json as Partial<Record<keyof ProcoreTokenResponse, unknown>>;
  if (typeof response.access_token !== 'string' || response.access_token === '') throw badToken('access_token missing');
  if (typeof response.refresh_token !== 'string' || response.refresh_token === '') throw badToken('refresh_token missing');
  if (response.token_type !== undefined && (typeof response.token_type !== 'string' || response.token_type.toLowerCase() !== 'bearer')) {
    throw badToken('token_type is not bearer');
  }
  const expiresInSeconds = positiveSeconds(response.expires_in);
  if (expiresInSeconds === undefined) throw badToken('expires_in missing or not a positive number');
  let createdAtMs = nowMs;
  if (response.created_at !== undefined && response.created_at !== null) {
    const seconds = unixSeconds(response.created_at);
    if (seconds === undefined) throw badToken('created_at is not unix seconds');
    createdAtMs = seconds * 1000;
  }
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    expiresInSeconds,
    createdAt: new Date(createdAtMs),
    expiresAt: new Date(createdAtMs + expiresInSeconds * 1000),
  };
}

export function createOAuthCalls(ctx: ClientContext) {
  /**
   * One POST to /oauth/token, never retried: a code is single use, and a refresh token is spent the
   * moment Procore reads it, even when its answer is lost. Any failure after the request may have left
   * carries mayHaveReachedProcore so the vault treats it as a refresh caught midway (SPEC 4.4).
   */
  async function tokenGrant(grantType: 'authorization_code' | 'refresh_token', fields: Record<string, string>): Promise<ProcoreTokenSet> {
    const url = urlFor(ctx.loginUrl, '/oauth/token');
    const operation = `POST ${pathOf(url)} (${grantType})`;
    const secrets = [ctx.clientSecret, fields.code ?? fields.refresh_token];
    const response = await ctx.transport.send({
      method: 'POST',
      url,
      form: { grant_type: grantType, ...fields, client_id: ctx.clientId, client_secret: ctx.clientSecret },
      secrets,
    });
    if (response.status < 200 || response.status >= 300) throw errorFromResponse(response, operation, ctx.now(), 'oauth', secrets);
    try {
      return parseTokenResponse(parseJsonBody(response, operation), ctx.now());
    } catch (err) {
      if (!(err instanceof ProcoreError)) throw err;
      // Procore answered 2xx, so it did process the grant: a refresh token is gone even though we cannot read the new one.
      throw new ProcoreError('bad_response', err.message, { status: response.status, mayHaveReachedProcore: true, cause: err });
    }
  }

  return {
    buildAuthorizeUrl({ redirectUri, state }: { redirectUri: string; state: string }): string {
      const url = urlFor(ctx.loginUrl, '/oauth/authorize', {
        response_type: 'code',
        client_id: ctx.clientId,
        redirect_uri: redirectUri,
        state,
      });
      return url.toString();
    },

    redeemAuthorizationCode({ code, redirectUri }: { code: string; redirectUri: string }): Promise<ProcoreTokenSet> {
      return tokenGrant('authorization_code', { code, redirect_uri: redirectUri });
    },

    /** The redirect URI the pair was obtained with is sent again, as Procore's token endpoint lists it. */
    refreshAccessToken({ refreshToken, redirectUri }: { refreshToken: string; redirectUri: string }): Promise<ProcoreTokenSet> {
      return tokenGrant('refresh_token', { refresh_token: refreshToken, redirect_uri: redirectUri });
    },

    /**
     * Revokes the pair (either token of it). Retried like an API request: Procore answers 200 even for an
     * unknown token, so a second try after a lost answer is harmless.
     */
    async revokeToken(token: string): Promise<void> {
      const url = urlFor(ctx.loginUrl, '/oauth/revoke');
      const operation = `POST ${pathOf(url)}`;
      const secrets = [token, ctx.clientSecret];
      await withRetries(async (attempt) => {
        const response = await ctx.transport.send(
          { method: 'POST', url, form: { token, client_id: ctx.clientId, client_secret: ctx.clientSecret }, secrets },
          attempt,
        );
        if (response.status < 200 || response.status >= 300) throw errorFromResponse(response, operation, ctx.now(), 'oauth', secrets);
      }, { sleep: ctx.sleep, logger: ctx.logger, operation });
    },

    async getTokenInfo(accessToken: string): Promise<ProcoreTokenInfo> {
      const url = urlFor(ctx.loginUrl, '/oauth/token/info');
      const operation = `GET ${pathOf(url)}`;
      const json = await withRetries(async (attempt) => {
        const secrets = [accessToken];
        const response = await ctx.transport.send(
          { method: 'GET', url, headers: { authorization: `Bearer ${accessToken}` }, secrets },
          attempt,
        );
        if (response.status < 200 || response.status >= 300) throw errorFromResponse(response, operation, ctx.now(), 'oauth', secrets);
        return parseJsonBody(response, operation);
      }, { sleep: ctx.sleep, logger: ctx.logger, operation });
      return parseTokenInfo(json, ctx.now());
    },
  };
}

/** Doorkeeper's token info: `expires_in_seconds` in Procore's reference, `expires_in` in Doorkeeper's own; both read. */
export function parseTokenInfo(json: unknown, nowMs: number): ProcoreTokenInfo {
  if (!isRecord(json)) throw new ProcoreError('bad_response', 'Procore\'s token info is not a JSON object');
  const expiresInSeconds = json.expires_in_seconds ?? json.expires_in;
  if (typeof expiresInSeconds !== 'number' || !Number.isFinite(expiresInSeconds)) {
    throw new ProcoreError('bad_response', 'Procore\'s token info lacks expires_in_seconds');
  }
  const application = json.application;
  const applicationUid = isRecord(application) && typeof application.uid === 'string' ? application.uid : null;
  const createdAtSeconds = unixSeconds(json.created_at);
  return {
    resourceOwnerId: toIdString(json.resource_owner_id, 'resource_owner_id'),
    applicationUid,
    expiresInSeconds,
    createdAt: new Date(createdAtSeconds === undefined ? nowMs : createdAtSeconds * 1000),
  };
}
