// The emulator's error answers, in the shape of the part of Procore (or of the emulator) that gives them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorPage } from './html.js';

/** OAuth endpoints answer RFC 6749 5.2 JSON. */
export function sendOAuthError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

/** Procore's REST API puts its message under `errors`. */
export function sendRestError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ errors: message });
}

/** Control endpoints answer like the NCS API does, so test failures read the same. */
export function sendControlError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

export function sendHtmlPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(html);
}

type Family = 'oauth' | 'rest' | 'control' | 'html';

function familyOf(request: FastifyRequest): Family {
  const path = request.url.split('?')[0];
  if (path.startsWith('/__emulator/')) return 'control';
  if (path.startsWith('/rest/')) return 'rest';
  if (path === '/oauth/token' || path === '/oauth/revoke' || path === '/oauth/token/info') return 'oauth';
  return 'html';
}

/** Body parsing and validation failures become 4xx in each family's shape; anything else is a 500 that is logged. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'emulator bug');
    const message = status === 500 ? 'The emulator failed; this is a bug.' : error.message;
    switch (familyOf(request)) {
      case 'oauth':
        return sendOAuthError(reply, status, status === 500 ? 'server_error' : 'invalid_request', message);
      case 'rest':
        return sendRestError(reply, status, message);
      case 'control':
        return sendControlError(reply, status, status === 500 ? 'internal' : 'bad_request', message);
      case 'html':
        return sendHtmlPage(reply, status, errorPage('Something went wrong', message));
    }
  });
  app.setNotFoundHandler((request, reply) => {
    const message = `No route for ${request.method} ${request.url.split('?')[0]}`;
    switch (familyOf(request)) {
      case 'oauth':
        return sendOAuthError(reply, 404, 'invalid_request', message);
      case 'rest':
        return sendRestError(reply, 404, 'Not Found');
      case 'control':
        return sendControlError(reply, 404, 'not_found', message);
      case 'html':
        return sendHtmlPage(reply, 404, errorPage('Not found', message));
    }
  });
}
