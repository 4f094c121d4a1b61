// Request counting and the outage switch: API and token calls answer an error, hang, or have their socket reset.
import type { FastifyInstance } from 'fastify';
import type { OutageSettings } from './settings.js';
import type { EmulatorState } from './state.js';

/**
 * What an outage takes down: the API and the token endpoints, which servers call. The sign-in pages
 * stay up (a browser reaches another front end), and so do the control endpoints, which must end it.
 */
function isOutagePath(path: string, scope: OutageSettings['scope']): boolean {
  const api = path.startsWith('/rest/');
  const token = path === '/oauth/token' || path === '/oauth/revoke' || path === '/oauth/token/info';
  return scope === 'api' ? api : scope === 'token' ? token : api || token;
}

export function installRequestHooks(app: FastifyInstance, state: EmulatorState): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0];
    // Counted on arrival, so stats tell how often a client called even when the call failed.
    if (path.startsWith('/rest/')) state.stats.apiRequests += 1;
    else if (path === '/oauth/token' && request.method === 'POST') state.stats.tokenRequests += 1;

    const outage = state.outage;
    if (!outage.enabled || !isOutagePath(path, outage.scope)) return;
    switch (outage.mode) {
      case 'status':
        if (outage.retryAfterSeconds !== undefined) reply.header('retry-after', String(outage.retryAfterSeconds));
        return reply.code(outage.status).send({ errors: statusText(outage.status) });
      case 'timeout':
        // Never answered: the client's timeout ends it, or close(), which destroys every connection.
        reply.hijack();
        request.raw.resume();
        return;
      case 'reset': {
        reply.hijack();
        const socket = request.raw.socket;
        // An RST, as a crashed load balancer would send, rather than an orderly FIN.
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
    }
  });
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return texts[status] ?? `HTTP ${status}`;
}
