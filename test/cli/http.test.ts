// The NCS server address rules and the --verbose trace: http:// only to loopback, every secret redacted.
import { beforeEach, describe, expect, it } from 'vitest';
import { redactBody, redactHeader } from '../../src/cli/api/trace.js';
import { parseServerUrl } from '../../src/cli/server-url.js';
import { fakeNcs, SERVER, type FakeNcs } from './fake-ncs.js';
import { runNcs, tempConfigDir, useFakeNcsServer } from './harness.js';

const fake = useFakeNcsServer();
const mock = fake.mock;
let ncs: FakeNcs;
let config: ReturnType<typeof tempConfigDir>;
beforeEach(() => ({ ncs, config } = fake));

describe('server address', () => {
  it.each([
    ['https://ncs.example.com', 'https://ncs.example.com'],
    ['https://ncs.example.com/', 'https://ncs.example.com'],
    ['ncs.example.com:8443', 'https://ncs.example.com:8443'],
    ['HTTPS://NCS.Example.COM', 'https://ncs.example.com'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('%s is the server %s', (input, origin) => {
    expect(parseServerUrl(input, { insecure: false })).toBe(origin);
  });

  it.each([
    ['http://ncs.example.com', 'insecure_server'],
    ['http://10.0.0.5:8080', 'insecure_server'],
    ['https://ncs.example.com/connectorweb/Projects', 'invalid_server_url'],
    ['https://user:pw@ncs.example.com', 'invalid_server_url'],
    ['ftp://ncs.example.com', 'invalid_server_url'],
    ['https://', 'invalid_server_url'],
  ])('%s is refused (%s, exit 2)', (input, code) => {
    expect(() => parseServerUrl(input, { insecure: false })).toThrow(expect.objectContaining({ code, exitCode: 2 }));
  });

  it('refuses http:// to a non-loopback host before sending anything, and accepts it with --insecure', async () => {
    const plain = 'http://ncs.internal.test';
    const insecureNcs = fakeNcs({ server: plain });
    mock.use(...insecureNcs.handlers);
    const token = insecureNcs.sessionFor('gadmin');
    const refused = await runNcs(['projects', 'list', '--server', plain], { env: { NCS_TOKEN: token, NCS_CONFIG_DIR: config.dir } });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('over plain http://');
    expect(refused.stderr).toContain('--insecure');
    expect(insecureNcs.requests).toHaveLength(0);
    const accepted = await runNcs(['projects', 'list', '--server', plain, '--insecure', '--json'], { env: { NCS_TOKEN: token, NCS_CONFIG_DIR: config.dir } });
    expect(accepted.exitCode).toBe(0);
    expect(insecureNcs.requests).toHaveLength(1);
  });

  it('remembers a server accepted with `login --insecure`, so later commands need not repeat it', async () => {
    const plain = 'http://ncs.internal.test';
    const insecureNcs = fakeNcs({ server: plain });
    mock.use(...insecureNcs.handlers);
    const login = await runNcs(['login', '--server', plain, '--insecure', '-u', 'jsmith', '--password-stdin'], { env: { NCS_CONFIG_DIR: config.dir }, terminal: { stdin: 'demo' } });
    expect(login.exitCode).toBe(0);
    expect((await runNcs(['whoami'], { env: { NCS_CONFIG_DIR: config.dir } })).exitCode).toBe(0);
  });
});

describe('--verbose', () => {
  it('traces requests and responses on stderr with the password, tokens and Authorization redacted', async () => {
    ncs.password = 'demo-secret-password';
    const login = await runNcs(['login', '--server', SERVER, '-u', 'jsmith', '--password-stdin', '--verbose'], {
      env: { NCS_CONFIG_DIR: config.dir },
      terminal: { stdin: 'demo-secret-password' },
    });
    expect(login.exitCode, login.stderr).toBe(0);
    const token = [...ncs.sessions.keys()][0];
    expect(login.stderr).toContain(`> POST ${SERVER}/api/v1/session`);
    expect(login.stderr).toContain('"password":"[REDACTED]"');
    expect(login.stderr).toContain('"token":"[REDACTED]"');
    expect(login.stderr).toMatch(/< 201 Created \(\d+ ms\)/);
    expect(login.stderr).not.toContain('demo-secret-password');
    expect(login.stderr).not.toContain(token);
    expect(login.stdout).toBe('');

    const whoami = await runNcs(['whoami', '--verbose'], { env: { NCS_CONFIG_DIR: config.dir } });
    expect(whoami.stderr).toContain(`> GET ${SERVER}/api/v1/me`);
    expect(whoami.stderr).toContain('> authorization: Bearer [REDACTED]');
    expect(whoami.stderr).not.toContain(token);
  });

  it('keeps error and reason codes readable but redacts OAuth codes, states and attempt ids', () => {
    expect(redactBody('{"attemptId":"att_1","state":"st","code":"oauth-code"}')).toBe('{"attemptId":"[REDACTED]","state":"[REDACTED]","code":"[REDACTED]"}');
    expect(redactBody('{"error":{"code":"session_expired","message":"m"}}')).toBe('{"error":{"code":"session_expired","message":"m"}}');
    expect(redactBody('{"authorizeUrl":"https://login.procore.com/oauth/authorize?client_id=x&state=abc&redirect_uri=y"}')).toContain('state=[REDACTED]');
    expect(redactBody('{"token":{"access_token":"a","refresh_token":"r"}}')).toBe('{"token":"[REDACTED]"}');
    expect(redactHeader('Authorization', 'Bearer ncs_s_abc')).toBe('Bearer [REDACTED]');
    expect(redactHeader('cookie', 'sid=1')).toBe('[REDACTED]');
  });
});
