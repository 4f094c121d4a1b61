// Sign-in, sign-out and "who am I" (SPEC 4.2): POST /session, DELETE /session, GET /me.
import type { FastifyInstance } from 'fastify';
import type { MeResponse, SessionCreated } from '../../../core/index.js';
import type { ServerDeps } from '../../deps.js';
import { rolesOf } from '../../directory/roles.js';
import { signIn, signOut } from '../../directory/sign-in.js';
import { MAX_PASSWORD_LENGTH } from '../../directory/passwords.js';
import { requireViewer, viewerOf } from '../authenticate.js';
import { bearerSecurity, errorResponses } from '../schemas.js';

const userSchema = {
  type: 'object',
  required: ['username', 'displayName', 'isGlobalAdmin'],
  additionalProperties: false,
  properties: {
    username: { type: 'string' },
    displayName: { type: 'string' },
    isGlobalAdmin: { type: 'boolean' },
  },
} as const;

const signInBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 256, description: 'The domain username without the domain, e.g. "jsmith".' },
    password: { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH },
  },
} as const;

const sessionCreatedSchema = {
  type: 'object',
  required: ['token', 'expiresAt', 'user'],
  additionalProperties: false,
  properties: {
    token: { type: 'string', description: 'The session token (`ncs_s_…`); send it as `Authorization: Bearer <token>`.' },
    expiresAt: { type: 'string', format: 'date-time', description: 'Idle expiry; each use extends it by 12 h, up to 7 days after sign-in.' },
    user: userSchema,
  },
} as const;

const meSchema = {
  type: 'object',
  required: ['user', 'roles'],
  additionalProperties: false,
  properties: {
    user: userSchema,
    roles: {
      type: 'object',
      required: ['globalAdmin', 'projectAdminOf', 'bicOf'],
      additionalProperties: false,
      properties: {
        globalAdmin: { type: 'boolean' },
        projectAdminOf: { type: 'array', items: { type: 'string' } },
        bicOf: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

export default async function sessionRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  app.post<{ Body: { username: string; password: string } }>(
    '/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign in with the domain username (without the domain) and password',
        body: signInBody,
        response: { 201: sessionCreatedSchema, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request, reply): Promise<SessionCreated> => {
      const created = await signIn(deps, { username: request.body.username, password: request.body.password, clientAddress: request.ip });
      reply.code(201).header('Cache-Control', 'no-store');
      return created;
    },
  );

  app.delete(
    '/session',
    {
      onRequest: requireViewer(deps),
      schema: {
        tags: ['session'],
        summary: 'Sign out: revokes the bearer session',
        security: bearerSecurity,
        response: { 204: { type: 'null', description: 'The session is revoked.' }, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      await signOut(deps, viewerOf(request), request.ip);
      return reply.code(204).send();
    },
  );

  app.get(
    '/me',
    {
      onRequest: requireViewer(deps),
      schema: {
        tags: ['session'],
        summary: 'Who is signed in, and their roles',
        security: bearerSecurity,
        response: { 200: meSchema, ...errorResponses(401) },
      },
    },
    async (request): Promise<MeResponse> => {
      const viewer = viewerOf(request);
      return {
        user: { username: viewer.username, displayName: viewer.displayName, isGlobalAdmin: viewer.isGlobalAdmin },
        roles: await rolesOf(deps.db, viewer),
      };
    },
  );
}
