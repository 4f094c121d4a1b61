// Secret redaction for logs, traces and error messages: tokens, codes, states and passwords never leave in clear.

/** Query and body field names whose values are secrets wherever they appear. */
export const SECRET_FIELD_NAMES = [
  'password',
  'token',
  'access_token',
  'refresh_token',
  'accessToken',
  'refreshToken',
  'code',
  'state',
  'client_secret',
  'clientSecret',
  'attemptId',
  'authorization',
] as const;

const SECRET_PARAM = new RegExp(`([?&](?:${SECRET_FIELD_NAMES.join('|')})=)[^&#\\s"]*`, 'gi');
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const NCS_TOKEN = /\bncs_[st]_[A-Za-z0-9_-]+/g;

/** Redacts secrets inside free text: URL query parameters, bearer headers and NCS tokens. */
export function redactText(text: string): string {
  return text.replace(SECRET_PARAM, '$1[REDACTED]').replace(BEARER, '$1[REDACTED]').replace(NCS_TOKEN, 'ncs_[REDACTED]');
}
