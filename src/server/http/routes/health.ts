// Liveness, readiness (database reachable and start-up work done) and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { NcsError } from '../../../core/index.js';
import type { ServerDeps } from '../../deps.js';
import { errorResponses } from '../schemas.js';

const okSchema = { type: 'object', required: ['status'], properties: { status: { type: 'string' } } } as const;

export default async function healthRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  app.get('/healthz', { schema: { response: { 200: okSchema } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { response: { 200: okSchema, ...errorResponses(503) } } }, async () => {
    if (!deps.readiness.ready) throw new NcsError('not_ready', { message: 'The server is still starting (first sync round not done).' });
    try {
      await sql`select 1`.execute(deps.db);
    } catch {
      throw new NcsError('not_ready', { message: 'The database does not answer.' });
    }
    return { status: 'ready' };
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const counts = await deps.db.selectFrom('projects').select(['status', (eb) => eb.fn.countAll<string | number>().as('n')]).groupBy('status').execute();
    const gauges: Record<string, number> = {
      'ncs_projects{status="connected"}': 0,
      'ncs_projects{status="connection_lost"}': 0,
      'ncs_projects{status="degraded"}': 0,
    };
    for (const row of counts) gauges[`ncs_projects{status="${row.status}"}`] = Number(row.n);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(deps.metrics.render(gauges));
  });
}
