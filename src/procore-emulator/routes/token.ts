// POST /oauth/token, POST /oauth/revoke and GET /oauth/token/info, with client authentication.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { basicCredentials, bearerToken, readFields } from '../body.js';
import { redeemAuthorizationCode, refreshAccessToken, type GrantOutcome } from '../grants.js';
import { sendOAuthError } from '../responses.js';
import type { EmulatorState } from '../state.js';
import { tokenResponse } from '../tokens.js';

const INVALID_CLIENT_DESCRIPTION =
  'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.';
const INVALID_TOKEN_DESCRIPTION = 'The access token is invalid';

export function registerTokenRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.post('/oauth/token', async (request, reply) => {
    const read = readFields(request.body, ['grant_type', 'code', 'redirect_uri', 'refresh_token', 'client_id', 'client_secret']);
    if (!read.ok) return sendOAuthError(reply, 400, 'invalid_request', read.message);
    const fields = read.fields;
    const clientId = authenticateClient(state, request, fields);
    if (clientId === undefined) return refuseClient(request, reply);

    let outcome: GrantOutcome;
    switch (fields.grant_type) {
      case undefined:
        return sendOAuthError(reply, 400, 'invalid_request', 'Missing required parameter: grant_type.');
      case 'authorization_code':
        if (fields.code === undefined) return sendOAuthError(reply, 400, 'invalid_request', 'Missing required parameter: code.');
        if (fields.redirect_uri === undefined) {
          return sendOAuthError(reply, 400, 'invalid_request', 'Missing required parameter: redirect_uri.');
        }
        outcome = redeemAuthorizationCode(state, { clientId, code: fields.code, redirectUri: fields.redirect_uri });
        break;
      case 'refresh_token':
        if (fields.refresh_token === undefined) {
          return sendOAuthError(reply, 400, 'invalid_request', 'Missing required parameter: refresh_token.');
        }
        outcome = refreshAccessToken(state, { clientId, refreshToken: fields.refresh_token, redirectUri: fields.redirect_uri });
        break;
      default:
        return sendOAuthError(
          reply,
          400,
          'unsupported_grant_type',
          'The authorization grant type is not supported by the authorization server.',
        );
    }
    if (!outcome.ok) return sendOAuthError(reply, 400, outcome.error, outcome.description);
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(tokenResponse(outcome.pair));
  });

  app.post('/oauth/revoke', async (request, reply) => {
    const read = readFields(request.body, ['token', 'token_type_hint', 'client_id', 'client_secret']);
    if (!read.ok) return sendOAuthError(reply, 400, 'invalid_request', read.message);
    const clientId = authenticateClient(state, request, read.fields);
    if (clientId === undefined) return refuseClient(request, reply);
    const token = read.fields.token;
    if (token === undefined) return sendOAuthError(reply, 400, 'invalid_request', 'Missing required parameter: token.');
    const pair = state.tokens.findByAccessToken(token) ?? state.tokens.findByRefreshToken(token);
    // Either token ends the pair. Another app's token is left alone, yet answered alike (RFC 7009 2.2).
    if (pair && pair.clientId === clientId && pair.status === 'live') pair.status = 'revoked';
    return reply.send({});
  });

  app.get('/oauth/token/info', async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    const pair = token === undefined ? undefined : state.tokens.usableAccessPair(token, state.now());
    if (!pair) {
      reply.header('www-authenticate', `Bearer realm="Procore", error="invalid_token", error_description="${INVALID_TOKEN_DESCRIPTION}"`);
      return sendOAuthError(reply, 401, 'invalid_token', INVALID_TOKEN_DESCRIPTION);
    }
    return reply.header('cache-control', 'no-store').send({
      resource_owner_id: pair.accountId,
      scopes: [],
      expires_in_seconds: Math.max(0, Math.ceil((pair.accessExpiresAt - state.now()) / 1000)),
      application: { uid: pair.clientId },
      created_at: Math.floor(pair.createdAt / 1000),
    });
  });
}

/** The registered client's id when the request proves it (HTTP Basic or body fields), else undefined. */
function authenticateClient(
  state: EmulatorState,
  request: FastifyRequest,
  fields: Record<string, string | undefined>,
): string | undefined {
  const basic = basicCredentials(request.headers.authorization);
  const clientId = basic?.clientId ?? fields.client_id;
  const clientSecret = basic?.clientSecret ?? fields.client_secret;
  if (clientId === undefined || clientSecret === undefined || clientId !== state.app.clientId) return undefined;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(clientSecret), digest(state.app.clientSecret)) ? clientId : undefined;
}

function refuseClient(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // RFC 6749 5.2: a client that tried HTTP Basic is told which scheme to use.
  if (/^Basic\s/i.test(request.headers.authorization ?? '')) reply.header('www-authenticate', 'Basic realm="Procore"');
  return sendOAuthError(reply, 401, 'invalid_client', INVALID_CLIENT_DESCRIPTION);
}
