// `GET /projects`, `/projects/summary` and `/projects/{ref}`: what the caller may see, from the stored read model.
import type { FastifyInstance } from 'fastify';
import { NcsError, parseStatusFilter } from '../../../core/index.js';
import type { ServerDeps } from '../../deps.js';
import { authorizeProjectAction } from '../../projects/access.js';
import { projectDetailSchema, projectListSchema, projectSummarySchema } from '../../projects/item-schema.js';
import { countProjectsByStatus, decodeCursor, encodeCursor, type ProjectPage, type ProjectScope } from '../../projects/list-query.js';
import { createProjectPageCache } from '../../projects/page-cache.js';
import { loadProjectDetail } from '../../projects/project-state.js';
import { requireViewer, viewerOf, type Viewer } from '../authenticate.js';
import { bearerSecurity, errorResponses, projectRefParams } from '../schemas.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

interface ListQuery {
  status?: string;
  q?: string;
  limit?: string;
  cursor?: string;
}

// Query strings arrive as strings and the app does not coerce types, so `limit` is a pattern for 1-200.
const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['connected', 'connection_lost', 'degraded', 'lost'], description: '`lost` means `connection_lost`' },
    q: { type: 'string', maxLength: 100, description: 'Case-insensitive substring of the number or the name' },
    limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|1[0-9][0-9]|200)$', description: `Page size, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` },
    cursor: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'nextCursor of the previous page' },
  },
} as const;

function scopeOf(viewer: Viewer): ProjectScope {
  return viewer.isGlobalAdmin ? { all: true } : { all: false, usernameKey: viewer.usernameKey };
}

function invalidCursor(): NcsError {
  return new NcsError('validation_failed', {
    message: 'The request is not valid: querystring.cursor is not a cursor this server issued.',
    hint: 'Pass the nextCursor of the previous page unchanged, or leave cursor out for the first page.',
    details: { fields: { 'querystring.cursor': 'is not a cursor this server issued' } },
  });
}

/** Response bodies of pages the cache hands out again: encoded once, not on every request. */
const bodies = new WeakMap<ProjectPage, Buffer>();

function listBody(page: ProjectPage): Buffer {
  let body = bodies.get(page);
  if (!body) {
    // The stored items are already the schema's JSON: concatenating them skips re-serializing 100 items per page.
    const nextCursor = page.nextNumber === null ? 'null' : JSON.stringify(encodeCursor(page.nextNumber));
    body = Buffer.from(`{"items":[${page.itemsJson}],"nextCursor":${nextCursor}}`, 'utf8');
    bodies.set(page, body);
  }
  return body;
}

export default async function projectRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  const onRequest = requireViewer(deps);
  const pageCache = createProjectPageCache();

  app.get(
    '/projects',
    {
      onRequest,
      schema: {
        summary: 'The projects the caller may see, ordered by number',
        tags: ['projects'],
        security: bearerSecurity,
        querystring: listQuerySchema,
        response: { 200: projectListSchema, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const query = request.query as ListQuery;
      const from = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      if (query.cursor !== undefined && from === undefined) throw invalidCursor();
      const page = await pageCache.read(deps.db, {
        scope: scopeOf(viewerOf(request)),
        status: query.status === undefined ? undefined : parseStatusFilter(query.status),
        q: query.q,
        limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit),
        from,
      });
      return reply.type('application/json; charset=utf-8').send(listBody(page));
    },
  );

  app.get(
    '/projects/summary',
    {
      onRequest,
      schema: {
        summary: 'How many of the caller\'s projects are connected, lost and degraded',
        tags: ['projects'],
        security: bearerSecurity,
        response: { 200: projectSummarySchema, ...errorResponses(401) },
      },
    },
    async (request) => countProjectsByStatus(deps.db, scopeOf(viewerOf(request))),
  );

  app.get(
    '/projects/:ref',
    {
      onRequest,
      schema: {
        summary: 'One project by NCS id or number: status, what broke, who must act and how',
        tags: ['projects'],
        security: bearerSecurity,
        params: projectRefParams,
        response: { 200: projectDetailSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { ref } = request.params as { ref: string };
      const { project } = await authorizeProjectAction(deps, viewerOf(request), ref, 'view');
      return loadProjectDetail(deps.db, project.id);
    },
  );
}
