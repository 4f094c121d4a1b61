// pino options for the server: secrets redacted by path and in URLs, so no token, code or password is logged.
import type { FastifyServerOptions } from 'fastify';
import { redactText } from '../../core/index.js';

export type LoggerDestination = NodeJS.WritableStream | { write(chunk: string): void };

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'body.password',
  'body.code',
  'body.state',
  'body.token',
  '*.password',
  '*.access_token',
  '*.refresh_token',
  '*.accessToken',
  '*.refreshToken',
  '*.code',
  '*.state',
  '*.token',
  '*.client_secret',
];

export function loggerOptions(destination?: LoggerDestination, level = process.env.NCS_LOG_LEVEL ?? 'info'): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    serializers: {
      req(request: { method: string; url: string; ip?: string }) {
        return { method: request.method, url: redactText(request.url), remoteAddress: request.ip };
      },
      err(error: unknown) {
        // Callers sometimes log a message rather than an Error; a serializer that throws would take the process down.
        if (typeof error !== 'object' || error === null) return { type: typeof error, message: redactText(String(error)), stack: '' };
        const { name, code, message, stack } = error as Error & { code?: string };
        return { type: String(name), code, message: redactText(String(message ?? '')), stack: redactText(stack ?? '') };
      },
    },
    ...(destination ? { stream: destination as NodeJS.WritableStream } : {}),
  };
}
