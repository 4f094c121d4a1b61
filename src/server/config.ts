// Server configuration from the environment; an invalid value stops start-up with one line naming the variable.
import { isIP } from 'node:net';
import { OOB_REDIRECT_URI } from '../core/index.js';
import { databaseTargetFromEnv, type DatabaseTarget } from './db/connect.js';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface ServerConfig {
  database: DatabaseTarget;
  dataDir: string;
  /** The current key first; older keys still decrypt until `vault rekey`. */
  encryptionKeys: Buffer[];
  procore: { loginUrl: string; apiUrl: string; clientId: string; clientSecret: string };
  cliRedirectUris: string[];
  publicUrl: string;
  syncIntervalSeconds: number;
  trustProxy: boolean | number | string[];
}

export const DEFAULT_CLI_REDIRECT_URIS = [
  'http://localhost:5599/callback',
  'http://localhost:5600/callback',
  'http://localhost:5601/callback',
];

/** `600`, `30s`, `10m`, `1h` → seconds. */
export function parseDuration(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[unit]!;
  const seconds = amount * factor;
  return seconds > 0 ? seconds : undefined;
}

function parseKey(variable: string, value: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/]+=*$/.test(value.trim())) {
    throw new ConfigError(variable, 'must be the base64 encoding of exactly 32 bytes (generate one with `openssl rand -base64 32`).');
  }
  return key;
}

function parseUrl(variable: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
    return url.origin + url.pathname.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(variable, `"${value}" is not an http(s) URL.`);
  }
}

function parseRedirectUris(value: string): string[] {
  const uris = value.split(',').map((uri) => uri.trim()).filter(Boolean);
  if (uris.length === 0) throw new ConfigError('PROCORE_CLI_REDIRECT_URIS', 'lists no redirect URI.');
  for (const uri of uris) {
    if (uri === OOB_REDIRECT_URI) continue;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new ConfigError('PROCORE_CLI_REDIRECT_URIS', `"${uri}" is not a URL.`);
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'http:' || !loopback || !url.port || Number(url.port) < 1024) {
      throw new ConfigError(
        'PROCORE_CLI_REDIRECT_URIS',
        `"${uri}" must be http://localhost, http://127.0.0.1 or http://[::1] with an explicit port of 1024 or above.`,
      );
    }
  }
  return uris;
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (!value) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    if (!isIP(address ?? '') || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new ConfigError('NCS_TRUST_PROXY', `"${entry}" is not true, a hop count, an address or a CIDR.`);
    }
  }
  return entries;
}

export interface ConfigOptions {
  demo?: boolean;
}

export function loadServerConfig(env: NodeJS.ProcessEnv, options: ConfigOptions = {}): ServerConfig {
  const dataDir = env.NCS_DATA_DIR || './.ncs-data';
  if (!options.demo && !env.NCS_ENCRYPTION_KEY) {
    throw new ConfigError('NCS_ENCRYPTION_KEY', 'is required (base64 of 32 bytes; generate one with `openssl rand -base64 32`).');
  }
  const encryptionKeys = env.NCS_ENCRYPTION_KEY ? [parseKey('NCS_ENCRYPTION_KEY', env.NCS_ENCRYPTION_KEY)] : [];
  for (const old of (env.NCS_ENCRYPTION_KEYS_OLD ?? '').split(',').map((k) => k.trim()).filter(Boolean)) {
    encryptionKeys.push(parseKey('NCS_ENCRYPTION_KEYS_OLD', old));
  }
  if (!options.demo && !env.NCS_PUBLIC_URL) {
    throw new ConfigError('NCS_PUBLIC_URL', "is required: the portal's public origin, e.g. https://ncs.example.com.");
  }
  const syncInterval = env.NCS_SYNC_INTERVAL ? parseDuration(env.NCS_SYNC_INTERVAL) : 600;
  if (syncInterval === undefined) {
    throw new ConfigError('NCS_SYNC_INTERVAL', `"${env.NCS_SYNC_INTERVAL}" is not seconds or a duration such as 30s or 10m.`);
  }
  if (!options.demo && (!env.PROCORE_CLIENT_ID || !env.PROCORE_CLIENT_SECRET)) {
    throw new ConfigError(env.PROCORE_CLIENT_ID ? 'PROCORE_CLIENT_SECRET' : 'PROCORE_CLIENT_ID', 'is required: the NCS app registered with Procore.');
  }
  if (env.DATABASE_URL && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL (leave it unset for the SQLite file in NCS_DATA_DIR).');
  }
  return {
    database: databaseTargetFromEnv(env),
    dataDir,
    encryptionKeys,
    procore: {
      loginUrl: parseUrl('PROCORE_LOGIN_URL', env.PROCORE_LOGIN_URL || 'https://login.procore.com'),
      apiUrl: parseUrl('PROCORE_API_URL', env.PROCORE_API_URL || 'https://api.procore.com'),
      clientId: env.PROCORE_CLIENT_ID ?? '',
      clientSecret: env.PROCORE_CLIENT_SECRET ?? '',
    },
    cliRedirectUris: env.PROCORE_CLI_REDIRECT_URIS ? parseRedirectUris(env.PROCORE_CLI_REDIRECT_URIS) : DEFAULT_CLI_REDIRECT_URIS,
    publicUrl: env.NCS_PUBLIC_URL ? parseUrl('NCS_PUBLIC_URL', env.NCS_PUBLIC_URL) : '',
    syncIntervalSeconds: syncInterval,
    trustProxy: parseTrustProxy(env.NCS_TRUST_PROXY),
  };
}
