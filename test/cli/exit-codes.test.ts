// SPEC 6.3: every failure becomes one exit code and, with --json, one {"error": …} document on stderr.
import net from 'node:net';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { NcsApiClient } from '../../src/cli/api/client.js';
import { createHttpTransport } from '../../src/cli/api/http.js';
import { CLI_ERRORS, CliError, EXIT } from '../../src/cli/errors.js';
import { reportError } from '../../src/cli/report.js';
import { apiError, SERVER, type FakeNcs } from './fake-ncs.js';
import { runNcs, tempConfigDir, useFakeNcsServer } from './harness.js';

const fake = useFakeNcsServer({ handlers: false });
const mock = fake.mock;
let ncs: FakeNcs;
let config: ReturnType<typeof tempConfigDir>;
beforeEach(() => ({ ncs, config } = fake));

const env = () => ({ NCS_SERVER: SERVER, NCS_TOKEN: ncs.sessionFor('gadmin'), NCS_CONFIG_DIR: config.dir });

/** Answers every request for the project list with `response`. */
function listAnswers(response: () => Response) {
  mock.use(http.get(`${SERVER}/api/v1/projects`, response), ...ncs.handlers);
}

describe('exit codes from the API', () => {
  it.each([
    ['401 session_expired', () => apiError('session_expired'), 3, 'session_expired'],
    ['401 unauthenticated', () => apiError('unauthenticated'), 3, 'unauthenticated'],
    ['403 forbidden', () => apiError('forbidden'), 4, 'forbidden'],
    ['404 project_not_found', () => apiError('project_not_found'), 5, 'project_not_found'],
    ['429 too_many_requests', () => apiError('too_many_requests', { headers: { 'retry-after': '42' } }), 9, 'too_many_requests'],
    ['500 internal_error', () => apiError('internal_error'), 7, 'internal_error'],
    ['503 not_ready', () => apiError('not_ready'), 7, 'not_ready'],
    ['503 procore_unreachable', () => apiError('procore_unreachable'), 9, 'procore_unreachable'],
    ['502 from a proxy (not JSON)', () => new HttpResponse('<html>Bad Gateway</html>', { status: 502 }), 7, 'server_error'],
    ['404 that is not an NCS error', () => new HttpResponse('Not Found', { status: 404 }), 7, 'unexpected_response'],
    ['400 validation_failed', () => apiError('validation_failed'), 2, 'validation_failed'],
    ['200 that is not JSON', () => new HttpResponse('<html>portal</html>', { status: 200 }), 7, 'unexpected_response'],
  ])('%s → exit %i, code %s', async (_name, response, exitCode, code) => {
    listAnswers(response);
    const result = await runNcs(['projects', 'list', '--json'], { env: env() });
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toBe('');
    const printed = JSON.parse(result.stderr);
    expect(printed.error.code).toBe(code);
    expect(Object.keys(printed.error).every((key) => ['code', 'message', 'hint'].includes(key))).toBe(true);
  });

  it('puts Retry-After into the message of a 429', async () => {
    listAnswers(() => apiError('too_many_requests', { headers: { 'retry-after': '42' } }));
    const result = await runNcs(['projects', 'list'], { env: env() });
    expect(result.stderr).toContain('Retry after 42 s.');
  });

  it('a 401 with NCS_TOKEN says the token was refused', async () => {
    listAnswers(() => apiError('unauthenticated'));
    const result = await runNcs(['projects', 'list'], { env: env() });
    expect(result.stderr).toContain('The server refused the API token in NCS_TOKEN');
  });

  it('403 suggests `ncs whoami`', async () => {
    listAnswers(() => apiError('forbidden'));
    expect((await runNcs(['projects', 'list'], { env: env() })).stderr).toContain('ncs whoami');
  });

  it('a refused connection → exit 7 server_unreachable', async () => {
    const port = await freePort();
    mock.close(); // a real connection attempt, not an interception
    try {
      const result = await runNcs(['projects', 'list', '--json'], { env: { ...env(), NCS_SERVER: `http://127.0.0.1:${port}` } });
      expect(result.exitCode).toBe(7);
      expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'server_unreachable', message: expect.stringContaining('refused the connection') });
    } finally {
      mock.listen({ onUnhandledRequest: 'error' });
    }
  });

  it('a 409 or 422 from /procore-token → exit 6, elsewhere a bug', async () => {
    mock.use(
      http.post(`${SERVER}/api/v1/projects/:ref/procore-token`, ({ params }) => (params.ref === 'A' ? apiError('attempt_invalid') : apiError('account_mismatch'))),
      http.post(`${SERVER}/api/v1/projects/:ref/reconnect`, () => apiError('authorization_code_rejected')),
    );
    const client = new NcsApiClient({ origin: SERVER, token: 't', tokenSource: 'session', transport: createHttpTransport({ origin: SERVER, env: {}, userAgent: 'test', timeoutMs: 5000 }) });
    await expect(client.pushProcoreToken('A', { attemptId: 'a', state: 's', code: 'c' })).rejects.toMatchObject({ code: 'attempt_invalid', exitCode: 6 });
    await expect(client.pushProcoreToken('B', { attemptId: 'a', state: 's', code: 'c' })).rejects.toMatchObject({ code: 'account_mismatch', exitCode: 6 });
    await expect(client.startReconnect('A', {})).rejects.toMatchObject({ exitCode: 1 });
  });
});

describe('exit codes from the CLI itself', () => {
  beforeEach(() => mock.use(...ncs.handlers));

  it.each([
    ['an unknown command', ['frobnicate'], 2],
    ['an unknown option', ['projects', 'list', '--frob'], 2],
    ['a bad --status', ['projects', 'list', '--status', 'broken'], 2],
    ['a missing <project>', ['projects', 'show'], 2],
    ['a bad --timeout', ['reconnect', 'P-1002', '--timeout', 'soon'], 2],
    ['a bad shell', ['completion', 'tcsh'], 2],
    ['no command', [], 2],
    ['--help', ['projects', 'show', '--help'], 0],
    ['--version', ['--version'], 0],
  ])('%s → exit %i', async (_name, args, exitCode) => {
    const result = await runNcs(args, { env: env() });
    expect(result.exitCode).toBe(exitCode);
  });

  it('a usage error with --json is one JSON error on stderr', async () => {
    const result = await runNcs(['projects', 'list', '--status', 'broken', '--json'], { env: env() });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stderr).error.code).toBe('usage');
  });

  it('not signed in anywhere → exit 3 naming `ncs login --server`', async () => {
    const result = await runNcs(['projects', 'list'], { env: { NCS_CONFIG_DIR: config.dir } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('ncs login --server https://');
  });

  it('`projects check` with a lost project → exit 8', async () => {
    expect((await runNcs(['projects', 'check'], { env: env() })).exitCode).toBe(8);
  });

  it('an ambiguous project → exit 2', async () => {
    expect((await runNcs(['projects', 'show', 'P-100'], { env: env() })).exitCode).toBe(2);
  });

  it('an unexpected failure → exit 1, saying it is a bug, without a stack or a secret', async () => {
    const credentials = {
      get: async () => {
        throw new TypeError('boom with Bearer abc.def and ncs_s_leaked');
      },
      set: async () => ({ location: { kind: 'file' as const, description: '' } }),
      delete: async () => false,
      ensureUsable: async () => {},
    };
    const result = await runNcs(['whoami', '--server', SERVER], { env: { NCS_CONFIG_DIR: config.dir }, credentials });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('This is a bug in ncs.');
    expect(result.stderr).not.toContain('ncs_s_leaked');
    expect(result.stderr).not.toContain('abc.def');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('an interrupted prompt → exit 130', () => {
    const stderr = { text: '', write(t: string) { this.text += t; } };
    const error = Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' });
    expect(reportError(error, { stderr, colorStderr: false, json: false })).toBe(130);
  });

  it('every CLI-only code has an exit code of SPEC 6.3', () => {
    const allowed: number[] = Object.values(EXIT);
    for (const [code, spec] of Object.entries(CLI_ERRORS)) {
      expect(allowed, code).toContain(spec.exitCode);
      expect(new CliError(code as keyof typeof CLI_ERRORS).exitCode).toBe(spec.exitCode);
    }
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
