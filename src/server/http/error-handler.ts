// Turns every failure into the catalogue's error shape: our NcsErrors, Fastify's own errors, and bugs (500, logged).
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { NcsError, type ErrorBody } from '../../core/index.js';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldOf(issue: ValidationIssue, context: string | undefined): string {
  const base = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const missing = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  const name = [base, typeof missing === 'string' ? missing : ''].filter(Boolean).join('.');
  return `${context ?? 'body'}${name ? `.${name}` : ''}`;
}

export function validationError(issues: ValidationIssue[], context?: string): NcsError {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const field = fieldOf(issue, context);
    if (!fields[field]) {
      fields[field] =
        issue.params?.additionalProperty !== undefined ? 'is not a known field' : (issue.message ?? 'is not valid');
    }
  }
  const summary = Object.entries(fields)
    .map(([field, problem]) => `${field} ${problem}`)
    .join('; ');
  return new NcsError('validation_failed', { message: `The request is not valid: ${summary}.`, details: { fields } });
}

export function sendError(reply: FastifyReply, error: NcsError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  return reply.code(error.httpStatus).type('application/json; charset=utf-8').send(error.toBody() satisfies ErrorBody);
}

function fromFastifyError(error: FastifyError): NcsError | undefined {
  if (error.validation) return validationError(error.validation as ValidationIssue[], error.validationContext);
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new NcsError('invalid_json', { message: 'The request body is not valid JSON.' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new NcsError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new NcsError('unsupported_media_type');
    default:
      break;
  }
  if (error instanceof SyntaxError) return new NcsError('invalid_json');
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    if (error.statusCode === 404) return new NcsError('not_found');
    if (error.statusCode === 413) return new NcsError('payload_too_large');
    if (error.statusCode === 415) return new NcsError('unsupported_media_type');
    return new NcsError('validation_failed', { message: 'The request is not valid.', details: { fields: {} } });
  }
  return undefined;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error instanceof NcsError ? error : fromFastifyError(error);
    if (known) return sendError(reply, known);
    request.log.error({ err: error }, 'request failed unexpectedly');
    return sendError(reply, new NcsError('internal_error'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new NcsError('not_found', { message: `There is nothing at ${request.method} ${request.url.split('?')[0]}.` })),
  );
}
