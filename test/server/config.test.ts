import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig, parseDuration } from '../../src/server/config.js';

const key = randomBytes(32).toString('base64');
const valid = {
  NCS_ENCRYPTION_KEY: key,
  NCS_PUBLIC_URL: 'https://ncs.example.com',
  PROCORE_CLIENT_ID: 'id',
  PROCORE_CLIENT_SECRET: 'secret',
};

function variableNamedBy(env: Record<string, string>, options = {}): string | undefined {
  try {
    loadServerConfig(env, options);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.variable;
    throw error;
  }
}

describe('server configuration', () => {
  it('accepts a complete configuration with the SPEC defaults', () => {
    const config = loadServerConfig(valid);
    expect(config.procore.loginUrl).toBe('https://login.procore.com');
    expect(config.procore.apiUrl).toBe('https://api.procore.com');
    expect(config.cliRedirectUris).toEqual([
      'http://localhost:5599/callback',
      'http://localhost:5600/callback',
      'http://localhost:5601/callback',
    ]);
    expect(config.syncIntervalSeconds).toBe(600);
    expect(config.database.sqliteFile).toMatch(/\.ncs-data[/\\]ncs\.db$/);
  });

  it.each([
    ['NCS_ENCRYPTION_KEY', { ...valid, NCS_ENCRYPTION_KEY: '' }],
    ['NCS_ENCRYPTION_KEY', { ...valid, NCS_ENCRYPTION_KEY: 'c2hvcnQ=' }],
    ['NCS_ENCRYPTION_KEYS_OLD', { ...valid, NCS_ENCRYPTION_KEYS_OLD: 'nope' }],
    ['NCS_PUBLIC_URL', { ...valid, NCS_PUBLIC_URL: '' }],
    ['NCS_PUBLIC_URL', { ...valid, NCS_PUBLIC_URL: 'ftp://x' }],
    ['NCS_SYNC_INTERVAL', { ...valid, NCS_SYNC_INTERVAL: 'soon' }],
    ['PROCORE_CLIENT_ID', { ...valid, PROCORE_CLIENT_ID: '' }],
    ['PROCORE_CLI_REDIRECT_URIS', { ...valid, PROCORE_CLI_REDIRECT_URIS: 'http://example.com:5599/callback' }],
    ['PROCORE_CLI_REDIRECT_URIS', { ...valid, PROCORE_CLI_REDIRECT_URIS: 'http://localhost/callback' }],
    ['PROCORE_CLI_REDIRECT_URIS', { ...valid, PROCORE_CLI_REDIRECT_URIS: 'http://localhost:80/callback' }],
    ['NCS_TRUST_PROXY', { ...valid, NCS_TRUST_PROXY: 'everyone' }],
    ['DATABASE_URL', { ...valid, DATABASE_URL: 'mysql://x' }],
  ])('an invalid value stops start-up naming %s', (variable, env) => {
    expect(variableNamedBy(env)).toBe(variable);
  });

  it('needs no key, public URL or Procore app in the demo', () => {
    expect(variableNamedBy({}, { demo: true })).toBeUndefined();
  });

  it.each([
    ['600', 600],
    ['30s', 30],
    ['10m', 600],
    ['1h', 3600],
  ])('reads the sync interval %s as %d seconds', (value, seconds) => {
    expect(parseDuration(value)).toBe(seconds);
  });

  it('reads NCS_TRUST_PROXY as true, a hop count or a list of addresses and CIDRs', () => {
    expect(loadServerConfig({ ...valid, NCS_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadServerConfig({ ...valid, NCS_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadServerConfig({ ...valid, NCS_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16']);
  });
});
