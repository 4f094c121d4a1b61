// A listening demo world for the integration tests: the Procore emulator and the real backend on free loopback ports,
// seeded as `ncs-server start --demo` seeds it, with this test's own CLI redirect URIs; and the built `ncs` run against it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { OOB_REDIRECT_URI } from '../../../src/core/index.js';
import { seedDemo } from '../../../src/demo/seed-demo.js';
import { DEMO_APP, demoSeed, startEmulator, type RunningEmulator } from '../../../src/procore-emulator/index.js';
import { loadServerConfig } from '../../../src/server/config.js';
import { buildDeps, startServer, type RunningServer } from '../../../src/server/server.js';
import { freePort, REPO_ROOT, runBinary, type ChildRun } from '../../support/processes.js';

export const NCS_BIN = path.join(REPO_ROOT, 'bin/ncs');
export const PERSON_SCRIPT = path.join(REPO_ROOT, 'test/integration/fixtures/procore-person.mjs');
export const DEMO_LOGINS = ['mlee', 'jsmith', 'rkim', 'dchan', 'intruder'].map((name) => `${name}@demo.example`);

/** What the scripted person does at one Procore sign-in (see fixtures/procore-person.mjs). */
export interface PersonRun {
  login?: string;
  password?: string;
  decision?: 'allow' | 'deny' | 'ignore';
  preludes?: Array<'tampered_state' | 'forged_error' | 'wrong_path'>;
}

export interface PersonReport {
  index: number;
  authorizeHost: string;
  preludes: Array<{ kind: string; status: number }>;
  procore?: { status: number; location?: string };
  final?: { url: string; status: number; headers: Record<string, string | null>; page: string };
  page?: string;
  done?: boolean;
  error?: string;
}

export interface NcsRunOptions {
  /** Sign-ins the scripted browser performs, in order (NCS_BROWSER); without it no browser is configured. */
  person?: PersonRun[];
  /** A custom NCS_BROWSER command (the Chromium test). */
  browserCommand?: string;
  env?: Record<string, string>;
}

export interface IntegrationWorld {
  serverUrl: string;
  emulatorUrl: string;
  redirectPorts: number[];
  redirectUris: string[];
  configDir: string;
  /** Runs the built `ncs` with this world's server, config dir and browser; every run's output is kept. */
  ncs(args: string[], options?: NcsRunOptions): ChildRun;
  /** Runs it to the end: exit code and output. */
  ncsDone(args: string[], options?: NcsRunOptions & { stdin?: string }): Promise<{ exitCode: number | string; stdout: string; stderr: string }>;
  /** `ncs login` as a demo user (session kept in a 0600 file of the config dir). */
  login(username: string): Promise<void>;
  /** A session token from the API directly (for setting the scene). */
  apiSession(username: string): Promise<string>;
  api<T = unknown>(method: string, urlPath: string, token: string, body?: unknown): Promise<{ status: number; body: T }>;
  emulator(method: string, urlPath: string, body?: unknown): Promise<unknown>;
  projectStatuses(): Promise<Record<string, string>>;
  /** The person's reports, waiting until `count` sign-ins are done. */
  personReports(count?: number): Promise<PersonReport[]>;
  /** Every live Procore access and refresh token the emulator knows. */
  liveProcoreTokens(): Promise<string[]>;
  /** Everything the CLI wrote: each run's stdout and stderr, and every file of its config dir. */
  cliTraces(): string[];
  close(): Promise<void>;
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

async function waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startWorld(options: { redirectCount?: number } = {}): Promise<IntegrationWorld> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'ncs-it-'));
  const configDir = path.join(tmp, 'config');
  const reportDir = path.join(tmp, 'person');
  mkdirSync(reportDir);
  const redirectPorts: number[] = [];
  while (redirectPorts.length < (options.redirectCount ?? 3)) {
    const port = await freePort();
    if (!redirectPorts.includes(port)) redirectPorts.push(port);
  }
  const redirectUris = redirectPorts.map((port) => `http://localhost:${port}/callback`);

  let emulator: RunningEmulator | undefined;
  let server: RunningServer | undefined;
  const children: ChildRun[] = [];
  const logs = new Sink();
  try {
    // As the demo's Procore app, registered with this test's own loopback redirect URIs.
    emulator = await startEmulator({ host: '127.0.0.1', seed: demoSeed(), app: { ...DEMO_APP, redirectUris: [...redirectUris, OOB_REDIRECT_URI] } });
    const port = await freePort();
    const config = loadServerConfig(
      {
        NCS_DATA_DIR: path.join(tmp, 'data'),
        NCS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        NCS_PUBLIC_URL: `http://127.0.0.1:${port}`,
        // As the demo: sign-in through localhost, the API through 127.0.0.1.
        PROCORE_LOGIN_URL: `http://localhost:${emulator.port}`,
        PROCORE_API_URL: emulator.url,
        PROCORE_CLIENT_ID: DEMO_APP.clientId,
        PROCORE_CLIENT_SECRET: DEMO_APP.clientSecret,
        PROCORE_CLI_REDIRECT_URIS: redirectUris.join(','),
      },
      { demo: true },
    );
    mkdirSync(config.dataDir, { recursive: true });
    const deps = await buildDeps(config);
    server = await startServer(deps, { host: '127.0.0.1', port }, { logDestination: logs, logLevel: 'warn' });
    await seedDemo(deps, { emulatorUrl: emulator.url, redirectUri: redirectUris[0] });
  } catch (error) {
    await server?.close();
    await emulator?.close();
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  const serverUrl = server.url;
  const emulatorUrl = emulator.url;

  const baseEnv = (options: NcsRunOptions): NodeJS.ProcessEnv => ({
    NCS_SERVER: serverUrl,
    NCS_CONFIG_DIR: configDir,
    NCS_CREDENTIAL_STORE: 'file',
    NCS_TOKEN: '',
    NO_COLOR: '1',
    // No display, no SSH, no proxy: only NCS_BROWSER (the scripted person) can open anything.
    DISPLAY: '',
    WAYLAND_DISPLAY: '',
    SSH_CONNECTION: '',
    SSH_TTY: '',
    HTTPS_PROXY: '',
    HTTP_PROXY: '',
    https_proxy: '',
    http_proxy: '',
    NCS_BROWSER: options.browserCommand ?? (options.person ? `"${process.execPath}" "${PERSON_SCRIPT}"` : ''),
    NCS_TEST_PERSON: JSON.stringify({ reportDir, runs: options.person ?? [] }),
    ...options.env,
  });

  const world: IntegrationWorld = {
    serverUrl,
    emulatorUrl,
    redirectPorts,
    redirectUris,
    configDir,
    ncs(args, options = {}) {
      const run = runBinary(NCS_BIN, args, baseEnv(options));
      children.push(run);
      return run;
    },
    async ncsDone(args, options = {}) {
      const run = world.ncs(args, options);
      run.child.stdin.end(options.stdin ?? '');
      const exitCode = await run.exited;
      return { exitCode, stdout: run.stdout(), stderr: run.stderr() };
    },
    async login(username) {
      const result = await world.ncsDone(['login', '-u', username, '--password-stdin'], { stdin: 'demo' });
      if (result.exitCode !== 0) throw new Error(`ncs login ${username} failed (${result.exitCode}): ${result.stderr}`);
    },
    async apiSession(username) {
      const answer = await world.api<{ token: string }>('POST', '/api/v1/session', '', { username, password: 'demo' });
      if (answer.status !== 201) throw new Error(`sign-in of ${username}: ${answer.status}`);
      return answer.body.token;
    },
    async api(method, urlPath, token, body) {
      const response = await fetch(`${serverUrl}${urlPath}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as never };
    },
    async emulator(method, urlPath, body) {
      const response = await fetch(`${emulatorUrl}${urlPath}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`emulator ${method} ${urlPath}: ${response.status} ${await response.text()}`);
      return response.json();
    },
    async projectStatuses() {
      const token = await world.apiSession('gadmin');
      const list = await world.api<{ items: Array<{ number: string; status: string }> }>('GET', '/api/v1/projects', token);
      return Object.fromEntries(list.body.items.map((item) => [item.number, item.status]));
    },
    async personReports(count = 1) {
      return waitUntil(
        () => {
          const reports = readdirSync(reportDir)
            .filter((name) => /^run-\d+\.json$/.test(name))
            .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
            .map((name) => {
              try {
                return JSON.parse(readFileSync(path.join(reportDir, name), 'utf8')) as PersonReport;
              } catch {
                return undefined; // being written
              }
            });
          return reports.length >= count && reports.every((r) => r?.done || r?.error) ? (reports as PersonReport[]) : undefined;
        },
        30_000,
        `${count} sign-in(s) by the scripted person`,
      );
    },
    async liveProcoreTokens() {
      const tokens: string[] = [];
      for (const login of DEMO_LOGINS) {
        const pairs = (await world.emulator('GET', `/__emulator/accounts/${encodeURIComponent(login)}/tokens`)) as Array<{ accessToken: string; refreshToken: string }>;
        for (const pair of pairs) tokens.push(pair.accessToken, pair.refreshToken);
      }
      return tokens;
    },
    cliTraces() {
      const files = (() => {
        try {
          return filesUnder(configDir).map((file) => readFileSync(file, 'utf8'));
        } catch {
          return [];
        }
      })();
      return [...children.flatMap((run) => [run.stdout(), run.stderr()]), ...files];
    },
    async close() {
      for (const run of children) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await Promise.all(children.map((run) => run.exited));
      await server?.close();
      await emulator?.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  return world;
}

/** Fails when any live Procore token appears in clear in what the CLI printed or stored (SPEC 9.3). */
export async function expectNoProcoreTokenLeaked(world: IntegrationWorld, extra: string[] = []): Promise<void> {
  const tokens = [...(await world.liveProcoreTokens()), ...extra];
  const traces = world.cliTraces();
  for (const token of tokens) {
    const leaked = traces.findIndex((text) => text.includes(token));
    if (leaked !== -1) throw new Error(`a Procore token (${token.slice(0, 12)}…) appears in CLI output or config (trace ${leaked})`);
  }
}
