// The one catalogue of error codes: HTTP status, default message and hint, used by the API, CLI and portal.

export interface ErrorSpec {
  httpStatus: number;
  message: string;
  hint?: string;
}

export const ERROR_CATALOGUE = {
  // 400
  invalid_json: { httpStatus: 400, message: 'The request body is not valid JSON.', hint: 'Send a JSON object with Content-Type: application/json.' },
  validation_failed: { httpStatus: 400, message: 'The request is not valid.', hint: 'See details.fields for what to correct.' },
  username_includes_domain: {
    httpStatus: 400,
    message: 'Sign in with your username without the domain.',
    hint: 'Use "jsmith", not "DEMO\\jsmith" or "jsmith@demo".',
  },
  not_a_session: { httpStatus: 400, message: 'This is an API token, not a session; it cannot be signed out.', hint: 'Revoke API tokens with `ncs-server tokens revoke ID`.' },
  redirect_uri_not_allowed: { httpStatus: 400, message: 'That redirect URI is not registered for the CLI.', hint: 'Use one of GET /api/v1/oauth/cli redirectUris.' },
  // 401
  unauthenticated: { httpStatus: 401, message: 'Sign in first.', hint: 'Run `ncs login`, or send Authorization: Bearer <token>.' },
  session_expired: { httpStatus: 401, message: 'Your session has expired or was revoked.', hint: 'Run `ncs login` again.' },
  invalid_credentials: { httpStatus: 401, message: 'Wrong username or password.', hint: 'Use your domain username without the domain, and your domain password.' },
  // 403
  forbidden: { httpStatus: 403, message: 'You are not allowed to do that on this project.' },
  // 404
  not_found: { httpStatus: 404, message: 'There is nothing at this address.' },
  project_not_found: { httpStatus: 404, message: 'No such project, or you may not see it.', hint: 'Run `ncs projects list` to see your projects.' },
  // 409
  attempt_invalid: {
    httpStatus: 409,
    message: 'This reconnect attempt is not valid: it is unknown, used, expired, or not yours.',
    hint: 'Start again with `ncs reconnect <project>`.',
  },
  account_mismatch: {
    httpStatus: 409,
    message: 'The Procore account signed in is not a ball-in-court account of this project.',
    hint: 'Sign out of Procore, then reconnect and sign in as the expected account.',
  },
  // 413, 415
  payload_too_large: { httpStatus: 413, message: 'The request body is too large.' },
  unsupported_media_type: { httpStatus: 415, message: 'Send the body as application/json.' },
  // 422
  authorization_code_rejected: { httpStatus: 422, message: 'Procore refused the authorization code.', hint: 'Start again with `ncs reconnect <project>`.' },
  token_rejected: { httpStatus: 422, message: 'Procore refused the token.', hint: 'Obtain a fresh token from Procore and push it again.' },
  foreign_application: { httpStatus: 422, message: 'The token was issued to another Procore application.', hint: 'Obtain the token through the NCS app (its client id).' },
  permission_denied: {
    httpStatus: 422,
    message: 'The Procore account cannot reach this project or its RFIs or Submittals.',
    hint: 'In Procore, give the account Standard or Admin permission on RFIs and Submittals of the project.',
  },
  // 429
  too_many_sign_in_attempts: { httpStatus: 429, message: 'Too many failed sign-ins. Wait before trying again.' },
  rate_limited: { httpStatus: 429, message: 'Procore is rate-limiting NCS. Try again later.' },
  too_many_requests: { httpStatus: 429, message: 'Too many requests. Try again later.' },
  // 5xx
  procore_unreachable: { httpStatus: 503, message: 'Procore cannot be reached right now. Nothing was changed.', hint: 'Try again in a few minutes.' },
  not_ready: { httpStatus: 503, message: 'The server is not ready yet.' },
  credential_unreadable: {
    httpStatus: 500,
    message: 'A stored Procore token cannot be decrypted: the key it was sealed with is not configured.',
    hint: 'Add the old key to NCS_ENCRYPTION_KEYS_OLD and run `ncs-server vault rekey`.',
  },
  internal_error: { httpStatus: 500, message: 'The server failed unexpectedly. This is a bug; the server log has the details.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
}

/** An error that carries a stable code from the catalogue; the server and CLI key on `code`. */
export class NcsError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    options: { message?: string; hint?: string; details?: Record<string, unknown>; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    super(options.message ?? spec.message, { cause: options.cause });
    this.name = 'NcsError';
    this.code = code;
    this.httpStatus = spec.httpStatus;
    this.hint = options.hint ?? spec.hint;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.hint ? { hint: this.hint } : {}),
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}
