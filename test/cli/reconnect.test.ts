// `ncs reconnect <project>` in-process (SPEC 6.2): a fake NCS API, a scripted browser, and the real loopback listener.
import type { Server } from 'node:net';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reconnect, type ReconnectOptions } from '../../src/cli/commands/reconnect/reconnect.js';
import type { BrowserOpener } from '../../src/cli/factory.js';
import { memoryTerminal } from '../support/cli-io.js';
import { closeServer, occupyPort, portIsFree } from '../support/ports.js';
import { freePort, lastJsonLine } from '../support/processes.js';
import { apiError, fakeNcs, project, SERVER, type FakeNcs } from './fake-ncs.js';
import { NOW, runNcs, tempConfigDir, type RunOptions } from './harness.js';
import { CODE, OOB, reconnectFake, scriptedBrowser, STATE, visit, type ReconnectFake, type ReconnectFakeOptions } from './reconnect-fake.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const mock = setupServer();
beforeAll(() =>
  mock.listen({
    // The browser's requests to the CLI's own loopback listener are real; anything else unexpected fails the test.
    onUnhandledRequest: (request, print) => {
      if (!LOOPBACK.has(new URL(request.url).hostname)) print.error();
    },
  }),
);
afterAll(() => mock.close());

let ncs: FakeNcs;
let config: ReturnType<typeof tempConfigDir>;
let ports: number[];
const occupied: Server[] = [];
beforeEach(async () => {
  config = tempConfigDir();
  ncs = fakeNcs();
  ports = [await freePort(), await freePort(), await freePort()];
});
afterEach(async () => {
  mock.resetHandlers();
  config.cleanup();
  while (occupied.length > 0) await closeServer(occupied.pop()!);
});

const redirectUris = () => ports.map((port) => `http://localhost:${port}/callback`);
const env = (extra: Record<string, string> = {}) => ({ NCS_SERVER: SERVER, NCS_TOKEN: ncs.sessionFor('gadmin'), NCS_CONFIG_DIR: config.dir, ...extra });

function serve(options: Partial<ReconnectFakeOptions> = {}): ReconnectFake {
  const fake = reconnectFake(ncs, { redirectUris: redirectUris(), ...options });
  mock.use(...fake.handlers, ...ncs.handlers);
  return fake;
}

function occupy(port: number): Promise<void> {
  return occupyPort(port).then((server) => void occupied.push(server));
}

async function run(args: string[], options: RunOptions = {}) {
  return runNcs(['reconnect', ...args], { env: env(), ...options });
}

describe('ncs reconnect <project>: the loopback flow', () => {
  it('restores P-1002 and P-1003, telling the Procore host and account before the browser opens', async () => {
    const fake = serve();
    const terminal = memoryTerminal();
    let stderrWhenOpened = '';
    const browser = scriptedBrowser('allow');
    const spy: BrowserOpener = {
      canOpen: () => true,
      open: async (url) => {
        stderrWhenOpened = terminal.err();
        await browser.open(url);
      },
    };
    const result = await run(['P-1002'], { terminal, browser: spy });
    await browser.done();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(stderrWhenOpened).toContain('login.procore.test');
    expect(stderrWhenOpened).toContain('jsmith@demo.example');
    expect(fake.starts).toEqual([{ ref: ncs.projects[1].id, body: { redirectUri: redirectUris()[0] } }]);
    expect(fake.pushes).toEqual([{ ref: ncs.projects[1].id, body: { attemptId: 'att_0123456789', state: STATE, code: CODE } }]);
    expect(result.stdout).toMatch(/Reconnected P-1002 Civic Library/);
    expect(result.stdout).toMatch(/P-1002\s+Civic Library\s+Connected/);
    expect(result.stdout).toMatch(/P-1003\s+Riverside Clinic\s+Connected/);
    const [page] = browser.visits;
    expect(page.status).toBe(200);
    expect(page.page).toContain('Procore connection restored');
    expect(page.page).toContain('Also restored: P-1003 Riverside Clinic');
    expect(page.page).not.toContain(CODE);
    expect(page.headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    expect(await portIsFree(ports[0])).toBe(true);
  });

  it('--json prints only the verdict object on stdout and no spinner, even on a terminal', async () => {
    serve();
    const browser = scriptedBrowser('allow');
    const result = await run(['P-1002', '--json'], { browser, terminal: { stderrIsTTY: true, stdoutIsTTY: false } });
    expect(result.exitCode, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.restored.map((item: { number: string }) => item.number)).toEqual(['P-1002', 'P-1003']);
    expect(printed.account.login).toBe('jsmith@demo.example');
    expect(result.stderr).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  });

  it('shows a spinner with the time left on a terminal', async () => {
    serve();
    const result = await run(['P-1002'], { browser: scriptedBrowser('allow'), terminal: { stderrIsTTY: true } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/⠋ Waiting for the Procore sign-in in your browser… [45]:\d\d left/);
  });

  it('uses the next redirect URI when the first port is busy', async () => {
    const fake = serve();
    await occupy(ports[0]);
    const browser = scriptedBrowser('allow');
    const result = await run(['P-1002'], { browser });
    await browser.done();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(fake.starts[0].body).toEqual({ redirectUri: redirectUris()[1] });
    expect(browser.visits[0].url).toContain(`localhost:${ports[1]}/callback`);
  });

  it('all ports busy without a terminal: loopback_port_busy (exit 9) naming them and suggesting --oob, before any attempt', async () => {
    const fake = serve();
    for (const port of ports) await occupy(port);
    const result = await run(['P-1002', '--json'], { browser: scriptedBrowser('allow') });
    expect(result.exitCode).toBe(9);
    const { error } = lastJsonLine(result.stderr);
    expect(error.code).toBe('loopback_port_busy');
    for (const port of ports) expect(error.message).toContain(String(port));
    expect(error.hint).toContain('--oob');
    expect(fake.starts).toEqual([]);
  });

  it('all ports busy on a terminal: falls back to pasting the address the browser ended on', async () => {
    const fake = serve();
    for (const port of ports) await occupy(port);
    const pasted = `${redirectUris()[0]}?code=${CODE}&state=${STATE}`;
    const result = await run(['P-1002', '--no-browser'], { terminal: { stdinIsTTY: true, stderrIsTTY: true, stdin: `${pasted}\n` } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('busy');
    expect(fake.starts[0].body).toEqual({ redirectUri: redirectUris()[0] });
    expect(fake.pushes[0].body).toEqual({ attemptId: 'att_0123456789', state: STATE, code: CODE });
  });
});

describe('what the server answers is checked before anything opens', () => {
  it.each([
    ['https to Procore', 'https://login.procore.com', 0],
    ['http to localhost (the demo emulator)', 'http://localhost:8081', 0],
    ['http to 127.0.0.1', 'http://127.0.0.1:8081', 0],
    ['http to another host', 'http://login.procore.com', 2],
    ['http to a host that only starts like localhost', 'http://localhost.evil.example', 2],
    ['javascript:', 'javascript:alert(1)//', 2],
  ])('authorize URL over %s → exit %i', async (_name, origin, exitCode) => {
    serve({ authorizeOrigin: origin });
    const browser = scriptedBrowser('allow');
    const result = await run(['P-1002'], { browser });
    expect(result.exitCode, result.stderr).toBe(exitCode);
    if (exitCode !== 0) {
      expect(result.stderr).toContain('refusing to open it');
      expect(browser.opened).toEqual([]);
    }
  });

  it('refuses an attempt for another redirect URI than the one bound', async () => {
    serve({ started: () => ({ redirectUri: 'http://localhost:5999/callback' }) });
    const browser = scriptedBrowser('allow');
    const result = await run(['P-1002', '--json'], { browser });
    expect(result.exitCode).toBe(2);
    expect(lastJsonLine(result.stderr).error.code).toBe('redirect_uri_mismatch');
    expect(browser.opened).toEqual([]);
    expect(await portIsFree(ports[0])).toBe(true);
  });

  it('refuses an authorize URL that would send the browser elsewhere', async () => {
    serve({ started: (_ref, base) => ({ authorizeUrl: base.authorizeUrl.replace(encodeURIComponent(`localhost:${ports[0]}`), encodeURIComponent('attacker.example:80')) }) });
    const browser = scriptedBrowser('allow');
    const result = await run(['P-1002'], { browser });
    expect(result.exitCode).toBe(2);
    expect(browser.opened).toEqual([]);
  });
});

describe('no browser here: the URL is printed and the redirected address may be pasted', () => {
  it.each([
    ['Linux without a display', 'linux', {}],
    ['macOS over SSH', 'darwin', { SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' }],
    ['Windows over SSH', 'win32', { SSH_TTY: '/dev/pts/1' }],
  ] as const)('%s: prints the URL and accepts the pasted address', async (_name, platform, extraEnv) => {
    const fake = serve();
    const pasted = `${redirectUris()[0]}?state=${STATE}&code=${CODE}`;
    // The real opener (no browser injected): it must decide by itself not to open anything.
    const result = await run(['P-1002'], { platform, env: env(extraEnv), terminal: { stdinIsTTY: true, stderrIsTTY: true, stdin: `${pasted}\n` } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Not opening a browser: (there is no graphical display|this is an SSH session)/);
    expect(result.stderr).toContain('https://login.procore.test/oauth/authorize?');
    expect(fake.pushes[0].body).toMatchObject({ code: CODE, state: STATE });
  });

  it('a pasted address of another attempt is refused and the prompt asks again', async () => {
    const fake = serve();
    const stdin = [`${redirectUris()[0]}?state=other&code=stolen`, 'not an address', `${redirectUris()[0]}?state=${STATE}&code=${CODE}`, ''].join('\n');
    const result = await run(['P-1002', '--no-browser'], { terminal: { stdinIsTTY: true, stderrIsTTY: true, stdin } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('does not belong to this sign-in');
    expect(result.stderr).toContain('That is not an address');
    expect(fake.pushes.map((p) => p.body.code)).toEqual([CODE]);
  });

  it.each([
    ['without a terminal', { stdinIsTTY: false }],
    ['at the end of input on a terminal', { stdinIsTTY: true, stderrIsTTY: true, stdin: '' }],
  ])('%s it keeps waiting for the callback', async (_name, terminal) => {
    serve();
    const memory = memoryTerminal(terminal);
    const running = run(['P-1002', '--no-browser'], { terminal: memory });
    // The person reads the URL from the terminal; the browser's return reaches the listener.
    const printed = () => /https:\/\/login\.procore\.test\/\S+/.exec(memory.err())?.[0];
    await expect.poll(printed, { timeout: 10_000 }).toBeTruthy();
    const authorize = new URL(printed()!);
    const page = await visit(`${authorize.searchParams.get('redirect_uri')}?code=${CODE}&state=${authorize.searchParams.get('state')}`);
    const result = await running;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(page.page).toContain('Procore connection restored');
    expect(memory.asked).toEqual([]);
  });

  it('an opener that fails falls back to printing the URL', async () => {
    serve();
    const failing: BrowserOpener = {
      canOpen: () => true,
      open: async () => {
        throw new Error('xdg-open: no method available');
      },
    };
    const result = await run(['P-1002', '--timeout', '1'], { browser: failing });
    expect(result.stderr).toContain('The browser could not be opened');
    expect(result.stderr).toContain('https://login.procore.test/oauth/authorize?');
    expect(result.exitCode).toBe(6);
  });
});

describe('refusals and their exit codes', () => {
  it('Deny at Procore (error=access_denied with the right state) → exit 6 reconnect_denied, nothing pushed', async () => {
    const fake = serve();
    const browser = scriptedBrowser('deny');
    const result = await run(['P-1002', '--json'], { browser });
    await browser.done();
    expect(result.exitCode).toBe(6);
    expect(lastJsonLine(result.stderr).error.code).toBe('reconnect_denied');
    expect(fake.pushes).toEqual([]);
    expect(browser.visits[0].page).toContain('not granted');
  });

  it('a tampered-state and a forged error= callback are refused, the wait goes on, and the right one succeeds', async () => {
    serve();
    const statuses: number[] = [];
    const browser = scriptedBrowser(async (authorize) => {
      const redirect = authorize.searchParams.get('redirect_uri')!;
      statuses.push((await visit(`${redirect}?code=stolen&state=tampered`)).status!);
      statuses.push((await visit(`${redirect}?error=access_denied&state=forged`)).status!);
      statuses.push((await visit(redirect.replace('/callback', '/favicon.ico'))).status!);
      statuses.push((await visit(`${redirect}?code=${CODE}&state=${authorize.searchParams.get('state')}`)).status!);
    });
    const result = await run(['P-1002'], { browser });
    await browser.done();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(statuses).toEqual([400, 400, 404, 200]);
    expect(result.stderr).toContain('does not belong to this attempt');
  });

  it('a wrong Procore account → exit 6 naming who signed in and who was expected; the page says it too', async () => {
    serve({
      verdict: () =>
        HttpResponse.json(
          {
            error: {
              code: 'account_mismatch',
              message: 'Procore signed in intruder@demo.example, which is not the expected account jsmith@demo.example. Nothing was changed.',
              details: { signedIn: { id: '105', login: 'intruder@demo.example' }, expected: ['jsmith@demo.example'] },
            },
          },
          { status: 409 },
        ),
    });
    const browser = scriptedBrowser('allow');
    const result = await run(['P-1002'], { browser });
    await browser.done();
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain('you signed in to Procore as intruder@demo.example, but P-1002 needs jsmith@demo.example');
    expect(result.stderr).toContain('Sign out of Procore');
    expect(browser.visits[0].page).toContain('intruder@demo.example');
    expect(browser.visits[0].page).toContain('NCS did not accept this sign-in');
  });

  it('missing permission → exit 6 saying what to grant in Procore', async () => {
    serve({
      verdict: () =>
        HttpResponse.json(
          {
            error: {
              code: 'permission_denied',
              message: 'The Procore account jsmith@demo.example cannot reach its RFIs tool of P-1002.',
              details: { missing: ['rfis'], restored: [project('P-1003', 'Riverside Clinic', 'connected')], restoredOther: 0, account: { id: '102', login: 'jsmith@demo.example', name: 'Jordan Smith' } },
            },
          },
          { status: 422 },
        ),
    });
    const result = await run(['P-1002'], { browser: scriptedBrowser('allow') });
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain('cannot reach the RFIs tool of P-1002');
    expect(result.stderr).toContain('brought back P-1003');
    expect(result.stderr).toMatch(/Civic Library" \(Procore project \d+, company 4242\)/);
    expect(result.stderr).toContain('must give jsmith@demo.example Standard or Admin permission on the RFIs tool');
  });

  it.each([
    ['503 procore_unreachable', () => apiError('procore_unreachable', { headers: { 'retry-after': '30' } }), 9, 'procore_unreachable'],
    ['429 rate_limited', () => apiError('rate_limited'), 9, 'rate_limited'],
    ['409 attempt_invalid', () => apiError('attempt_invalid'), 6, 'attempt_invalid'],
    ['422 authorization_code_rejected', () => apiError('authorization_code_rejected'), 6, 'authorization_code_rejected'],
    ['500 internal_error', () => apiError('internal_error'), 7, 'internal_error'],
  ])('%s from /procore-token → exit %i', async (_name, verdict, exitCode, code) => {
    serve({ verdict });
    const browser = scriptedBrowser('allow');
    const result = await run(['P-1002', '--json'], { browser });
    await browser.done();
    expect(result.exitCode).toBe(exitCode);
    expect(lastJsonLine(result.stderr).error.code).toBe(code);
    expect(browser.visits[0].status).toBe(200);
    expect(await portIsFree(ports[0])).toBe(true);
  });

  it('times out after --timeout with a clear message (exit 6) and closes the listener', async () => {
    serve();
    const result = await run(['P-1002', '--timeout', '1', '--json'], { browser: scriptedBrowser('nothing') });
    expect(result.exitCode).toBe(6);
    const { error } = lastJsonLine(result.stderr);
    expect(error).toMatchObject({ code: 'reconnect_timed_out', message: expect.stringContaining('within 1 s') });
    expect(await portIsFree(ports[0])).toBe(true);
  });

  it('the wait is capped at the attempt\'s expiry', async () => {
    serve({ started: () => ({ expiresAt: new Date(NOW.getTime() + 1_200).toISOString() }) });
    const started = Date.now();
    const result = await run(['P-1002'], { browser: scriptedBrowser('nothing') });
    expect(result.exitCode).toBe(6);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.stderr).toContain('within 1 s');
  });

  it('Ctrl-C stops the wait, closes the listener, and exits 130', async () => {
    serve();
    const controller = new AbortController();
    const browser = scriptedBrowser(async () => {
      controller.abort();
    });
    const result = await runNcs(['reconnect', 'P-1002'], {
      env: env(),
      browser,
      runOverride: async (_name, options) => reconnect({ ...(options as ReconnectOptions), interrupt: controller.signal }),
    });
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('Interrupted');
    expect(await portIsFree(ports[0])).toBe(true);
  });
});

describe('a project that is not lost', () => {
  it('without a terminal and without --force → exit 2 with a hint, before any attempt', async () => {
    const fake = serve();
    const result = await run(['P-1001', '--json'], { browser: scriptedBrowser('allow') });
    expect(result.exitCode).toBe(2);
    const { error } = lastJsonLine(result.stderr);
    expect(error.code).toBe('confirmation_required');
    expect(error.hint).toContain('ncs reconnect P-1001 --force');
    expect(fake.starts).toEqual([]);
  });

  it('asks first on a terminal; no means nothing changes', async () => {
    const fake = serve();
    const result = await run(['P-1001'], { browser: scriptedBrowser('allow'), terminal: { stdinIsTTY: true, stderrIsTTY: true, answers: [false] } });
    expect(result.exitCode).toBe(0);
    expect(result.terminal.asked[0]).toContain('Reconnect P-1001 anyway');
    expect(result.stderr).toContain('Nothing was changed');
    expect(fake.starts).toEqual([]);
  });

  it('--force reconnects it without asking', async () => {
    const fake = serve();
    const result = await run(['P-1001', '--force'], { browser: scriptedBrowser('allow') });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(fake.pushes).toHaveLength(1);
  });
});

describe('--oob', () => {
  it('starts an out-of-band attempt and pushes the code typed (or piped) in', async () => {
    const fake = serve();
    const result = await run(['P-1002', '--oob', '--no-browser'], { terminal: { stdin: `  ${CODE}  \n` } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(fake.starts[0].body).toEqual({ oob: true });
    expect(result.stderr).toContain(`redirect_uri=${encodeURIComponent(OOB)}`);
    expect(fake.pushes[0].body).toEqual({ attemptId: 'att_0123456789', state: STATE, code: CODE });
    expect(await portIsFree(ports[0])).toBe(true);
  });

  it('the end of input without a code is a usage error', async () => {
    serve();
    const result = await run(['P-1002', '--oob', '--no-browser'], { terminal: { stdin: '' } });
    expect(result.exitCode).toBe(2);
  });
});

describe('--token-stdin', () => {
  const token = {
    access_token: 'eyJhbGciOiJIUzI1NiJ9.live-access-token.sig',
    token_type: 'bearer',
    expires_in: 5400,
    refresh_token: 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed',
    created_at: 1738326600,
    id_token: 'extra-field-not-sent',
  };

  it('pushes Procore\'s token response ({token}, known fields only) and never echoes it', async () => {
    const fake = serve();
    const result = await run(['P-1002', '--token-stdin', '--verbose'], { terminal: { stdin: JSON.stringify(token) } });
    expect(result.exitCode, result.stderr).toBe(0);
    const { id_token: _dropped, ...sent } = token;
    expect(fake.pushes[0].body).toEqual({ token: sent });
    expect(result.stdout).toContain('P-1003');
    for (const secret of [token.access_token, token.refresh_token]) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
  });

  it('a caller who is not a Global Admin gets exit 4', async () => {
    serve({ verdict: () => apiError('forbidden') });
    const result = await run(['P-1002', '--token-stdin'], { terminal: { stdin: JSON.stringify(token) } });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('Only Global Admins may push a Procore token');
  });

  it('input that is not a token response is a usage error that does not quote it', async () => {
    const fake = serve();
    for (const stdin of ['not json secret-ish', JSON.stringify({ access_token: 'secret-ish' })]) {
      const result = await run(['P-1002', '--token-stdin'], { terminal: { stdin } });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).not.toContain('secret-ish');
    }
    expect(fake.pushes).toEqual([]);
  });
});

describe('usage', () => {
  it.each([
    [['P-1002', '--all-lost']],
    [[]],
    [['P-1002', '--token-stdin', '--oob']],
  ])('%j → exit 2', async (args) => {
    serve();
    expect((await run(args)).exitCode).toBe(2);
  });

  it('a server without usable redirect URIs is a configuration error (exit 2) that suggests --oob', async () => {
    mock.use(http.get(`${SERVER}/api/v1/oauth/cli`, () => HttpResponse.json({ redirectUris: ['http://localhost:80/callback'] })), ...ncs.handlers);
    const result = await run(['P-1002'], { browser: scriptedBrowser('allow') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--oob');
  });
});
