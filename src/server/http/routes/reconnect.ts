// Reconnect routes (SPEC 4.2, 4.3): CLI redirect URIs, attempts, token intake, live checks and sync requests.
import type { FastifyInstance } from 'fastify';
import { ACCOUNT_RESULTS, NcsError, OOB_REDIRECT_URI, TRANSIENT_REASONS, type ProcoreTokenResponse } from '../../../core/index.js';
import type { ServerDeps } from '../../deps.js';
import { authorizeProjectAction } from '../../projects/access.js';
import { projectDetailSchema, projectItemSchema } from '../../projects/item-schema.js';
import { startReconnectAttempt } from '../../reconnect/attempts.js';
import { runProjectChecks } from '../../reconnect/checks.js';
import { completeWithCode, completeWithPushedToken } from '../../reconnect/complete.js';
import { requestSync } from '../../sync/run-pass.js';
import { requireViewer, viewerOf } from '../authenticate.js';
import { bearerSecurity, errorResponses, projectRefParams } from '../schemas.js';

/** Long enough for any real redirect URI, code, state or token; short enough that nothing absurd is stored. */
const URI_MAX = 2048;
const SECRET_MAX = 4096;

const cliConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['redirectUris'],
  properties: { redirectUris: { type: 'array', items: { type: 'string' } } },
} as const;

const reconnectBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    redirectUri: { type: 'string', minLength: 1, maxLength: URI_MAX, description: 'One of GET /oauth/cli redirectUris (default: the first)' },
    oob: { type: 'boolean', description: `Use Procore's out-of-band page (${OOB_REDIRECT_URI})` },
  },
} as const;

const reconnectStartedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['attemptId', 'authorizeUrl', 'redirectUri', 'state', 'expectedAccounts', 'expiresAt'],
  properties: {
    attemptId: { type: 'string' },
    authorizeUrl: { type: 'string' },
    redirectUri: { type: 'string' },
    state: { type: 'string' },
    expectedAccounts: { type: 'array', items: { type: 'string' }, description: 'Procore logins the caller may sign in as' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

const codeIntakeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['attemptId', 'state', 'code'],
  properties: {
    attemptId: { type: 'string', minLength: 1, maxLength: 128 },
    state: { type: 'string', minLength: 1, maxLength: 512 },
    code: { type: 'string', minLength: 1, maxLength: SECRET_MAX },
  },
} as const;

const tokenIntakeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: {
    token: {
      type: 'object',
      additionalProperties: false,
      description: "Procore's token response, snake_case as Procore returns it",
      required: ['access_token', 'token_type', 'expires_in', 'refresh_token', 'created_at'],
      properties: {
        access_token: { type: 'string', minLength: 1, maxLength: SECRET_MAX },
        token_type: { type: 'string', minLength: 1, maxLength: 32 },
        expires_in: { type: 'integer', minimum: 1, maximum: 31_536_000 },
        refresh_token: { type: 'string', minLength: 1, maxLength: SECRET_MAX },
        created_at: { type: 'integer', minimum: 0, maximum: 99_999_999_999 },
        scope: { type: 'string', maxLength: 512 },
      },
    },
    redirectUri: { type: 'string', minLength: 1, maxLength: URI_MAX, description: `The redirect URI the token was obtained with (default ${OOB_REDIRECT_URI})` },
  },
} as const;

const tokenAcceptedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['project', 'restored', 'restoredOther', 'account'],
  properties: {
    project: projectDetailSchema,
    restored: { type: 'array', items: projectItemSchema, description: 'This project first, then every other visible project restored' },
    restoredOther: { type: 'integer', description: 'Restored projects the caller may not see' },
    account: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'login', 'name'],
      properties: { id: { type: 'string' }, login: { type: 'string' }, name: { type: 'string' } },
    },
  },
} as const;

const nullableBoolean = { type: ['boolean', 'null'] } as const;

const checkResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['checks'],
  properties: {
    checks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['account', 'procoreUserId', 'credential', 'accountMatches', 'projectReachable', 'toolsReachable', 'reason'],
        properties: {
          account: { type: 'string', description: 'Procore login' },
          procoreUserId: { type: ['string', 'null'] },
          credential: { type: 'string', enum: ['valid', 'refreshed', 'missing', 'dead'] },
          accountMatches: nullableBoolean,
          projectReachable: nullableBoolean,
          toolsReachable: nullableBoolean,
          reason: { type: 'string', enum: [...ACCOUNT_RESULTS, ...TRANSIENT_REASONS] },
        },
      },
    },
  },
} as const;

/** check and sync take no input; an empty JSON object (or no body at all) is accepted, anything else is not. */
const emptyBodySchema = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const;

const syncRequestedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requestedAt'],
  properties: { requestedAt: { type: 'string', format: 'date-time' } },
} as const;

type CodeIntake = { attemptId: string; state: string; code: string };
type TokenIntake = { token: ProcoreTokenResponse; redirectUri?: string };

export default async function reconnectRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const onRequest = requireViewer(deps);

  app.get(
    '/oauth/cli',
    {
      onRequest,
      schema: {
        summary: 'The loopback redirect URIs the CLI may listen on',
        tags: ['reconnect'],
        security: bearerSecurity,
        response: { 200: cliConfigSchema, ...errorResponses(401) },
      },
    },
    async () => ({ redirectUris: deps.config.cliRedirectUris }),
  );

  app.post(
    '/projects/:ref/reconnect',
    {
      onRequest,
      schema: {
        summary: 'Start a reconnect attempt: the Procore sign-in URL and the state to expect back',
        tags: ['reconnect'],
        security: bearerSecurity,
        params: projectRefParams,
        body: reconnectBodySchema,
        response: { 201: reconnectStartedSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const { ref } = request.params as { ref: string };
      const body = (request.body ?? {}) as { redirectUri?: string; oob?: boolean };
      const { project, roles } = await authorizeProjectAction(deps, viewer, ref, 'reconnect');
      const redirectUri = chooseRedirectUri(deps.config.cliRedirectUris, body);
      const started = await startReconnectAttempt(deps, { viewer, project, roles, redirectUri });
      return reply.code(201).send(started);
    },
  );

  app.post(
    '/projects/:ref/procore-token',
    {
      onRequest,
      schema: {
        summary: 'Complete a reconnect with the authorization code, or push a Procore token (Global Admins)',
        tags: ['reconnect'],
        security: bearerSecurity,
        params: projectRefParams,
        body: { oneOf: [codeIntakeSchema, tokenIntakeSchema] },
        response: { 200: tokenAcceptedSchema, ...errorResponses(400, 401, 403, 404, 409, 422, 429, 503) },
      },
    },
    async (request) => {
      const viewer = viewerOf(request);
      const { ref } = request.params as { ref: string };
      const body = request.body as CodeIntake | TokenIntake;
      if ('token' in body) {
        // 403 comes before the token is used or revoked: nobody but a Global Admin gets it spent.
        const access = await authorizeProjectAction(deps, viewer, ref, 'push_token');
        return completeWithPushedToken(deps, viewer, access, body);
      }
      const access = await authorizeProjectAction(deps, viewer, ref, 'reconnect');
      return completeWithCode(deps, viewer, access, body);
    },
  );

  app.post(
    '/projects/:ref/check',
    {
      onRequest,
      schema: {
        summary: 'Check each ball-in-court account live against Procore and store what was found',
        tags: ['reconnect'],
        security: bearerSecurity,
        params: projectRefParams,
        body: emptyBodySchema,
        response: { 200: checkResponseSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { ref } = request.params as { ref: string };
      const { project } = await authorizeProjectAction(deps, viewerOf(request), ref, 'check');
      return { checks: await runProjectChecks(deps, project.id) };
    },
  );

  app.post(
    '/projects/:ref/sync',
    {
      onRequest,
      schema: {
        summary: 'Ask for a sync now (Global and Project Admins)',
        tags: ['reconnect'],
        security: bearerSecurity,
        params: projectRefParams,
        body: emptyBodySchema,
        response: { 202: syncRequestedSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { ref } = request.params as { ref: string };
      const { project } = await authorizeProjectAction(deps, viewerOf(request), ref, 'sync');
      const requestedAt = deps.now().toISOString();
      // The project becomes due now; this instance's scheduler wakes, another instance finds it at its next tick.
      await requestSync(deps, [project.id]);
      return reply.code(202).send({ requestedAt });
    },
  );
}

/** The redirect URI of a new attempt: a registered CLI URI (default the first), or the OOB URN. */
export function chooseRedirectUri(cliRedirectUris: readonly string[], body: { redirectUri?: string; oob?: boolean }): string {
  if (body.oob) {
    if (body.redirectUri !== undefined && body.redirectUri !== OOB_REDIRECT_URI) {
      throw new NcsError('validation_failed', {
        message: 'The request is not valid: give redirectUri or oob, not both.',
        details: { fields: { 'body.oob': 'cannot be combined with a redirectUri' } },
      });
    }
    return OOB_REDIRECT_URI;
  }
  if (body.redirectUri === undefined) return cliRedirectUris[0]!;
  if (body.redirectUri === OOB_REDIRECT_URI || cliRedirectUris.includes(body.redirectUri)) return body.redirectUri;
  throw new NcsError('redirect_uri_not_allowed', {
    message: `${body.redirectUri.slice(0, 200)} is not a redirect URI registered for the CLI.`,
    details: { allowed: [...cliRedirectUris] },
  });
}
