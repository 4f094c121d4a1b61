// Builds the NCS backend as a Fastify instance: logging, error catalogue, OpenAPI, then routes by resource.
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { ServerDeps } from '../deps.js';
import { installErrorHandling } from './error-handler.js';
import { loggerOptions, type LoggerDestination } from './logging.js';
import { errorResponseSchema } from './schemas.js';
import healthRoutes from './routes/health.js';
import sessionRoutes from './routes/session.js';
import projectRoutes from './routes/projects.js';
import reconnectRoutes from './routes/reconnect.js';

export interface BuildAppOptions {
  /** Where logs go; default stdout. Tests pass a stream to assert that no secret is logged. */
  logDestination?: LoggerDestination;
  logLevel?: string;
}

export const API_BODY_LIMIT_BYTES = 64 * 1024;

export async function buildApp(deps: ServerDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(options.logDestination, options.logLevel),
    // Fastify accepts a hop count too; its types omit it.
    trustProxy: deps.config.trustProxy as boolean | string[],
    bodyLimit: API_BODY_LIMIT_BYTES,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    routerOptions: { ignoreTrailingSlash: false },
  });
  app.decorateRequest('viewer', null);
  // Only JSON bodies are accepted by the API; anything else is 415, not a parse attempt.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);
  warnOnceAboutUntrustedForwarding(app, deps);

  app.addSchema(errorResponseSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Newforma Connector Service API', version: '1' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  await app.register(healthRoutes, { deps });
  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      await api.register(sessionRoutes, { deps });
      await api.register(projectRoutes, { deps });
      await api.register(reconnectRoutes, { deps });
    },
    { prefix: '/api/v1' },
  );
  await app.register(import('../portal/routes.js'), { deps, prefix: '/connectorweb' });
  return app;
}

function warnOnceAboutUntrustedForwarding(app: FastifyInstance, deps: ServerDeps): void {
  if (deps.config.trustProxy === true) return;
  let warned = false;
  app.addHook('onRequest', async (request) => {
    if (!warned && request.headers['x-forwarded-for'] && request.ip === request.socket.remoteAddress) {
      warned = true;
      request.log.warn('X-Forwarded-For arrived from an address NCS_TRUST_PROXY does not trust; it is ignored.');
    }
  });
}
