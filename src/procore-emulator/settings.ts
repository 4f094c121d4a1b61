// Emulator settings and outage switch (PUT /__emulator/settings, /outage): defaults and body validation.
import {
  asObject,
  onlyKeys,
  optionalEnum,
  optionalInteger,
  requiredBoolean,
} from './validation.js';

export const RATE_LIMIT_SCOPES = ['account', 'app'] as const;
export const RATE_LIMIT_HEADER_MODES = ['retry-after', 'reset', 'both'] as const;
export const OUTAGE_MODES = ['status', 'timeout', 'reset'] as const;
/** What an outage takes down: everything servers call (default), only the REST API, or only the token endpoints. */
export const OUTAGE_SCOPES = ['all', 'api', 'token'] as const;

export interface EmulatorSettings {
  /** Lifetime of access tokens issued from now on; Procore's is 5400 s today. */
  accessTokenTtlSeconds: number;
  /** 0 means no limit (plausible headers are still sent). */
  rateLimitPerWindow: number;
  rateLimitWindowSeconds: number;
  rateLimitScope: (typeof RATE_LIMIT_SCOPES)[number];
  /** Which of Retry-After and X-Rate-Limit-Reset the emulator sends, since Procore's pages disagree. */
  rateLimitHeaders: (typeof RATE_LIMIT_HEADER_MODES)[number];
}

export interface OutageSettings {
  enabled: boolean;
  mode: (typeof OUTAGE_MODES)[number];
  status: number;
  retryAfterSeconds?: number;
  scope: (typeof OUTAGE_SCOPES)[number];
}

export function defaultSettings(): EmulatorSettings {
  return {
    accessTokenTtlSeconds: 5400,
    rateLimitPerWindow: 0,
    rateLimitWindowSeconds: 3600,
    rateLimitScope: 'account',
    rateLimitHeaders: 'both',
  };
}

export function noOutage(): OutageSettings {
  return { enabled: false, mode: 'status', status: 503, scope: 'all' };
}

/** The settings after applying a PUT body: only the fields given change. */
export function applySettingsBody(current: EmulatorSettings, input: unknown): EmulatorSettings {
  const body = asObject(input, 'body');
  onlyKeys(body, Object.keys(defaultSettings()), 'body');
  return {
    accessTokenTtlSeconds: optionalInteger(body, 'accessTokenTtlSeconds', 'body', { min: 1 }) ?? current.accessTokenTtlSeconds,
    rateLimitPerWindow: optionalInteger(body, 'rateLimitPerWindow', 'body', { min: 0 }) ?? current.rateLimitPerWindow,
    rateLimitWindowSeconds:
      optionalInteger(body, 'rateLimitWindowSeconds', 'body', { min: 1 }) ?? current.rateLimitWindowSeconds,
    rateLimitScope: optionalEnum(body, 'rateLimitScope', 'body', RATE_LIMIT_SCOPES) ?? current.rateLimitScope,
    rateLimitHeaders: optionalEnum(body, 'rateLimitHeaders', 'body', RATE_LIMIT_HEADER_MODES) ?? current.rateLimitHeaders,
  };
}

export function parseOutageBody(input: unknown): OutageSettings {
  const body = asObject(input, 'body');
  onlyKeys(body, ['enabled', 'mode', 'status', 'retryAfterSeconds', 'scope'], 'body');
  return {
    enabled: requiredBoolean(body, 'enabled', 'body'),
    mode: optionalEnum(body, 'mode', 'body', OUTAGE_MODES) ?? 'status',
    // 4xx is allowed too: a test may want Procore answering, say, 418 to every call.
    status: optionalInteger(body, 'status', 'body', { min: 400, max: 599 }) ?? 503,
    retryAfterSeconds: optionalInteger(body, 'retryAfterSeconds', 'body', { min: 0 }),
    scope: optionalEnum(body, 'scope', 'body', OUTAGE_SCOPES) ?? 'all',
  };
}
