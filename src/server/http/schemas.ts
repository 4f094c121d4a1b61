// JSON schemas shared by routes: the error shape and common parameters. Route-specific schemas live with their routes.
import { ERROR_CATALOGUE } from '../../core/index.js';

export const errorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
        message: { type: 'string' },
        hint: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

/** Response schemas for the error statuses a route can answer: `{...errorResponses(401, 404)}`. */
export function errorResponses(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: 'ErrorResponse#' }]));
}

export const bearerSecurity = [{ bearerAuth: [] }];

export const projectRefParams = {
  type: 'object',
  required: ['ref'],
  additionalProperties: false,
  properties: { ref: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
