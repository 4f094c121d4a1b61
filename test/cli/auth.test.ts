// `ncs login`, `logout` and `whoami` against the fake NCS API, with a temporary config directory.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { stripDomain } from '../../src/cli/commands/auth/login.js';
import { SERVER, type FakeNcs } from './fake-ncs.js';
import { memoryKeychain, runNcs, tempConfigDir, useFakeNcsServer } from './harness.js';

const fake = useFakeNcsServer();
let ncs: FakeNcs;
let config: ReturnType<typeof tempConfigDir>;
beforeEach(() => ({ ncs, config } = fake));

const env = (extra: Record<string, string> = {}) => ({ NCS_CONFIG_DIR: config.dir, ...extra });
const readJson = (name: string) => JSON.parse(readFileSync(path.join(config.dir, name), 'utf8'));
const signIns = () => ncs.requests.filter((r) => r.method === 'POST' && r.url.pathname === '/api/v1/session');

describe('stripDomain', () => {
  it.each([
    ['DEMO\\jsmith', 'jsmith', 'DEMO'],
    ['jsmith@demo', 'jsmith', 'demo'],
    ['jsmith@demo.example.com', 'jsmith', 'demo.example.com'],
    [' jsmith ', 'jsmith', undefined],
    ['jsmith', 'jsmith', undefined],
    ['\\jsmith', '\\jsmith', undefined],
    ['jsmith@', 'jsmith@', undefined],
  ])('%j → %j (domain %j)', (input, username, domain) => {
    expect(stripDomain(input)).toEqual(domain === undefined ? { username } : { username, domain });
  });
});

describe('ncs login', () => {
  it('signs in with --password-stdin, stores the token in a 0600 file and says so once', async () => {
    const first = await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin'], { env: env(), terminal: { stdin: 'demo\n' } });
    expect(first.exitCode).toBe(0);
    expect(signIns()[0].body).toEqual({ username: 'jsmith', password: 'demo' });
    expect(first.stderr).toContain(`Signed in to ${SERVER} as jsmith (Jane Smith)`);
    expect(first.stderr).toContain('Note: no working OS keychain (Secret Service) was found, so the session token is stored in');
    expect(first.stdout).toBe('');

    const file = path.join(config.dir, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = readJson('credentials.json').sessions[SERVER].token;
    expect(ncs.sessions.get(token)).toBe('jsmith');
    expect(readJson('config.json')).toMatchObject({ defaultServer: SERVER, servers: { [SERVER]: { lastUsername: 'jsmith', credentialStore: 'file' } }, fileStoreNoticeGiven: true });

    const second = await runNcs(['login', '-u', 'jsmith', '--password-stdin'], { env: env(), terminal: { stdin: 'demo' } });
    expect(second.exitCode).toBe(0);
    expect(second.stderr).not.toContain('Note: no working OS keychain');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The session the second login replaced was revoked, not left valid.
    expect(ncs.revoked).toEqual([token]);
  });

  it('strips DOMAIN\\user and user@domain, naming the removed domain on stderr', async () => {
    const backslash = await runNcs(['login', '--server', SERVER, '-u', 'DEMO\\jsmith', '--password-stdin'], { env: env(), terminal: { stdin: 'demo' } });
    expect(backslash.exitCode).toBe(0);
    expect(backslash.stderr).toContain('removed the domain "DEMO" from "DEMO\\jsmith"');
    const at = await runNcs(['login', '--server', SERVER, '-u', 'jsmith@demo', '--password-stdin'], { env: env(), terminal: { stdin: 'demo' } });
    expect(at.stderr).toContain('removed the domain "demo" from "jsmith@demo"');
    expect(signIns().map((r) => (r.body as { username: string }).username)).toEqual(['jsmith', 'jsmith']);
  });

  it('signs in without prompts from NCS_USERNAME and NCS_PASSWORD', async () => {
    const result = await runNcs(['login'], { env: env({ NCS_SERVER: SERVER, NCS_USERNAME: 'DEMO\\gadmin', NCS_PASSWORD: 'demo' }) });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('removed the domain "DEMO"');
    expect(signIns()[0].body).toEqual({ username: 'gadmin', password: 'demo' });
  });

  it('prompts for the server, username and password on a terminal, offering the last username', async () => {
    const terminal = { stdinIsTTY: true, stderrIsTTY: true, answers: [SERVER, 'padmin', 'demo'] };
    const result = await runNcs(['login'], { env: env(), terminal });
    expect(result.exitCode).toBe(0);
    expect(result.terminal.asked).toEqual(['NCS server address (https://…):', 'Username (without the domain):', `Password for padmin on ${SERVER}:`]);
    const again = await runNcs(['login'], { env: env(), terminal: { stdinIsTTY: true, stderrIsTTY: true, answers: ['', 'demo'] } });
    expect(again.exitCode).toBe(0);
    expect(signIns().map((r) => (r.body as { username: string }).username)).toEqual(['padmin', 'padmin']);
  });

  it('without a terminal and without a password, exits 2 and names --password-stdin', async () => {
    const result = await runNcs(['login', '--server', SERVER, '-u', 'jsmith'], { env: env() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--password-stdin');
    expect(signIns()).toHaveLength(0);
  });

  it('without a server and without a terminal, exits 2 naming --server', async () => {
    const result = await runNcs(['login', '-u', 'jsmith', '--password-stdin'], { env: env(), terminal: { stdin: 'demo' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ncs login --server https://');
  });

  it('exits 3 on a wrong password, with the server\'s message', async () => {
    const result = await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin', '--json'], { env: env(), terminal: { stdin: 'wrong' } });
    expect(result.exitCode).toBe(3);
    expect(JSON.parse(result.stderr).error.code).toBe('invalid_credentials');
    expect(result.stdout).toBe('');
  });

  it('stores the token in the keychain when one answers, and not in a file', async () => {
    const keychain = memoryKeychain(true);
    const result = await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin'], { env: env(), keychain, terminal: { stdin: 'demo' } });
    expect(result.exitCode).toBe(0);
    expect(ncs.sessions.get(keychain.items.get(SERVER)!)).toBe('jsmith');
    expect(result.stderr).toContain('Secret Service (service "ncs"');
    expect(result.stderr).not.toContain('Note:');
    expect(() => statSync(path.join(config.dir, 'credentials.json'))).toThrow();
    const whoami = await runNcs(['whoami'], { env: env(), keychain });
    expect(whoami.stdout).toContain(`Secret Service (service "ncs", account "${SERVER}")`);
  });

  it('NCS_CREDENTIAL_STORE=keychain without a keychain exits 2 keychain_unavailable before signing in', async () => {
    const result = await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin', '--json'], {
      env: env({ NCS_CREDENTIAL_STORE: 'keychain' }),
      terminal: { stdin: 'demo' },
    });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stderr).error.code).toBe('keychain_unavailable');
    expect(signIns()).toHaveLength(0);
  });

  it('NCS_CREDENTIAL_STORE=file uses the file even with a working keychain', async () => {
    const keychain = memoryKeychain(true);
    const result = await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin'], {
      env: env({ NCS_CREDENTIAL_STORE: 'file' }),
      keychain,
      terminal: { stdin: 'demo' },
    });
    expect(result.exitCode).toBe(0);
    expect(keychain.items.size).toBe(0);
    expect(result.stderr).toContain('Note: NCS_CREDENTIAL_STORE=file, so the session token is stored in');
  });

  it('--json prints the server, user, expiry and store on stdout, and no token', async () => {
    const result = await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin', '--json'], { env: env(), terminal: { stdin: 'demo' } });
    const printed = JSON.parse(result.stdout);
    expect(printed).toEqual({ server: SERVER, user: { username: 'jsmith', displayName: 'Jane Smith', isGlobalAdmin: false }, expiresAt: '2025-02-01T12:00:00.000Z', credentialStore: 'file' });
    expect(result.stdout + result.stderr).not.toMatch(/ncs_s_/);
  });
});

describe('ncs logout', () => {
  it('revokes the session on the server and forgets the token', async () => {
    await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin'], { env: env(), terminal: { stdin: 'demo' } });
    const token = readJson('credentials.json').sessions[SERVER].token;
    const result = await runNcs(['logout'], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(ncs.revoked).toEqual([token]);
    expect(result.stderr).toContain(`Signed out of ${SERVER}; the session was revoked.`);
    expect(() => statSync(path.join(config.dir, 'credentials.json'))).toThrow();
    expect((await runNcs(['whoami'], { env: env() })).exitCode).toBe(3);
  });

  it('says that an NCS_TOKEN in the environment is not revoked, and never sends it', async () => {
    const apiToken = ncs.sessionFor('gadmin');
    const result = await runNcs(['logout'], { env: env({ NCS_SERVER: SERVER, NCS_TOKEN: apiToken }) });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('NCS_TOKEN is set in the environment and was not revoked');
    expect(ncs.revoked).toEqual([]);
  });

  it('forgets an expired session without complaint', async () => {
    await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin'], { env: env(), terminal: { stdin: 'demo' } });
    ncs.sessions.clear();
    const result = await runNcs(['logout'], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain('Warning');
    expect(() => statSync(path.join(config.dir, 'credentials.json'))).toThrow();
  });
});

describe('ncs whoami', () => {
  it('shows who, where, roles and where the credential is kept', async () => {
    await runNcs(['login', '--server', SERVER, '-u', 'padmin', '--password-stdin'], { env: env(), terminal: { stdin: 'demo' } });
    const result = await runNcs(['whoami'], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('padmin (Pat Admin)');
    expect(result.stdout).toContain(SERVER);
    expect(result.stdout).toContain('Project Admin of P-1001, P-1002');
    expect(result.stdout).toContain(`file ${path.join(config.dir, 'credentials.json')}`);
  });

  it('names NCS_TOKEN as the credential when it is set', async () => {
    const result = await runNcs(['whoami', '--json'], { env: env({ NCS_SERVER: SERVER, NCS_TOKEN: ncs.sessionFor('gadmin') }) });
    expect(JSON.parse(result.stdout)).toMatchObject({
      server: SERVER,
      user: { username: 'gadmin' },
      roles: { globalAdmin: true },
      credential: { source: 'env', description: 'the NCS_TOKEN environment variable' },
    });
  });

  it('exits 3 with the login command as hint when not signed in', async () => {
    const result = await runNcs(['whoami', '--server', SERVER], { env: env() });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`Run \`ncs login --server ${SERVER}\``);
  });

  it('exits 3 with "sign in again" when the stored session expired', async () => {
    await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin'], { env: env(), terminal: { stdin: 'demo' } });
    ncs.sessions.clear();
    const result = await runNcs(['whoami', '--json'], { env: env() });
    expect(result.exitCode).toBe(3);
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'session_expired', message: 'Your session has expired or was revoked.', hint: `Run \`ncs login --server ${SERVER}\` to sign in again.` },
    });
  });
});
