// Turns an NCS API error answer into a CliError: the server's code kept, the exit code of SPEC 6.3, a hint naming the next command.
import type { ErrorBody } from '../../core/index.js';
import { CliError, EXIT, type ExitCode } from '../errors.js';
import type { HttpResponse } from './http.js';

export interface ErrorContext {
  origin: string;
  /** What the client was doing: sign-in and token intake have their own meanings for 401 and 409/422. */
  operation: 'createSession' | 'procoreToken' | 'other';
  /** The bearer came from NCS_TOKEN, not from `ncs login`. */
  tokenFromEnv: boolean;
}

export function parseErrorBody(body: string): ErrorBody['error'] | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<ErrorBody>;
    const error = parsed?.error;
    return error && typeof error.code === 'string' && typeof error.message === 'string' ? error : undefined;
  } catch {
    return undefined;
  }
}

/** Retry-After as seconds (delta-seconds or an HTTP date). */
export function retryAfterSeconds(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function exitCodeFor(status: number, code: string, context: ErrorContext): ExitCode {
  if (status === 401) return EXIT.auth;
  if (status === 403) return EXIT.forbidden;
  if (status === 404) return EXIT.notFound;
  if (status === 429) return EXIT.tryLater;
  if (status === 503 && code === 'procore_unreachable') return EXIT.tryLater;
  if (status >= 500) return EXIT.unreachable;
  if ((status === 409 || status === 422) && context.operation === 'procoreToken') return EXIT.refused;
  if (status === 400) return EXIT.usage;
  // 409/422 elsewhere, 413, 415: the CLI sent something the server does not take; that is our bug.
  return EXIT.bug;
}

function hintFor(status: number, code: string, serverHint: string | undefined, context: ErrorContext): string | undefined {
  const login = `Run \`ncs login --server ${context.origin}\`.`;
  if (status === 401 && context.operation !== 'createSession') {
    return context.tokenFromEnv
      ? `The server refused the API token in NCS_TOKEN: set a valid one, or unset NCS_TOKEN and run \`ncs login --server ${context.origin}\`.`
      : code === 'session_expired'
        ? `Run \`ncs login --server ${context.origin}\` to sign in again.`
        : login;
  }
  if (status === 403) return serverHint ?? 'Run `ncs whoami` to see your roles; a Global Admin or a Project Admin of the project can do this.';
  if (status === 404 && code === 'project_not_found') return 'Run `ncs projects list` to see the projects you may see.';
  return serverHint;
}

export function errorFromApiResponse(response: HttpResponse, context: ErrorContext): CliError {
  const error = parseErrorBody(response.body);
  const { status } = response;
  if (!error) {
    // Not the NCS error shape: a proxy's page, a load balancer's 502, or not an NCS server at all.
    if (status >= 500) {
      return new CliError('server_error', { message: `The NCS server at ${context.origin} answered HTTP ${status}.`, httpStatus: status });
    }
    return new CliError('unexpected_response', {
      message: `${context.origin} answered HTTP ${status} without an NCS error; is it an NCS server?`,
      httpStatus: status,
    });
  }
  const retryAfter = status === 429 || status === 503 ? retryAfterSeconds(response.headers['retry-after']) : undefined;
  const message = retryAfter !== undefined ? `${error.message} Retry after ${retryAfter} s.` : error.message;
  return new CliError(error.code, {
    message,
    hint: hintFor(status, error.code, error.hint, context),
    exitCode: exitCodeFor(status, error.code, context),
    httpStatus: status,
    details: error.details,
    retryAfterSeconds: retryAfter,
  });
}
