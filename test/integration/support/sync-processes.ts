// Real processes for the sync tests: `ncs-server emulator` and `ncs-server start` children sharing one database that
// the test migrates (through `ncs-server migrate`) and seeds directly; polling, metrics, and a proxy that holds requests.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProcoreTokenResponse } from '../../../src/core/index.js';
import { parseTokenResponse } from '../../../src/procore/index.js';
import type { EmulatorSeed } from '../../../src/procore-emulator/index.js';
import type { Db } from '../../../src/server/db/connect.js';
import { storeCredential, type CredentialRow } from '../../../src/server/credentials/store.js';
import { createUser } from '../../../src/server/directory/users.js';
import { addProject } from '../../../src/server/projects/project-admin.js';
import { createVault, type Vault } from '../../../src/server/vault/vault.js';
import { openTestDatabase, postgresAvailable, type DatabaseKind } from '../../support/databases.js';
import { freePort, NCS_SERVER_BIN, runBinary, type ChildRun } from '../../support/processes.js';
import { emulatorControl } from '../../support/emulator-control.js';

export const ADMIN = { username: 'syncadmin', password: 'sync-admin-password' };
/** Seeded items are older than any pass, so the first pull (from the epoch) takes them all. */
const SEED_ITEMS_UPDATED_AT = '2024-01-02T03:04:05Z';

// ---------------------------------------------------------------------------------------------- the world's layout

export interface LayoutAccount {
  /** Procore user id, above 2^32. */
  id: string;
  login: string;
  /** The NPC username of the BIC assignment. */
  username: string;
}

export interface LayoutProject {
  number: string;
  procoreId: string;
  /** BIC accounts in failover order. */
  bic: LayoutAccount[];
  rfis: number;
  submittals: number;
}

export interface SyncLayout {
  companyId: string;
  accounts: LayoutAccount[];
  projects: LayoutProject[];
}

/** `projects` projects over `accounts` accounts (round robin); every `secondBicEvery`-th project has a second BIC account. */
export function buildLayout(options: { accounts: number; projects: number; rfis: number; submittals: number; secondBicEvery?: number }): SyncLayout {
  const base = 2 ** 32;
  const accounts = Array.from({ length: options.accounts }, (_, i) => ({
    id: String(base + 1000 + i),
    login: `acct${i}@sync.example`,
    username: `user${i}`,
  }));
  const projects = Array.from({ length: options.projects }, (_, i) => {
    const bic = [accounts[i % accounts.length]!];
    if (options.secondBicEvery && i % options.secondBicEvery === 0 && accounts.length > 1) bic.push(accounts[(i + 1) % accounts.length]!);
    return { number: `S-${String(i + 1).padStart(4, '0')}`, procoreId: String(base + 50_000 + i), bic, rfis: options.rfis, submittals: options.submittals };
  });
  return { companyId: String(base + 7), accounts, projects };
}

export function emulatorSeedOf(layout: SyncLayout): EmulatorSeed {
  return {
    companies: [{ id: layout.companyId, name: 'Sync Test Builders' }],
    projects: layout.projects.map((p) => ({ id: p.procoreId, companyId: layout.companyId, name: `Project ${p.number}` })),
    accounts: layout.accounts.map((a) => ({ id: a.id, login: a.login, name: a.username, password: 'unused' })),
    access: layout.projects.flatMap((p) => p.bic.map((a) => ({ projectId: p.procoreId, login: a.login }))),
    items: {
      rfis: layout.projects.flatMap((p) =>
        Array.from({ length: p.rfis }, (_, i) => ({ projectId: p.procoreId, subject: `RFI ${i + 1} of ${p.number}`, updatedAt: SEED_ITEMS_UPDATED_AT })),
      ),
      submittals: layout.projects.flatMap((p) =>
        Array.from({ length: p.submittals }, (_, i) => ({ projectId: p.procoreId, title: `Submittal ${i + 1} of ${p.number}`, updatedAt: SEED_ITEMS_UPDATED_AT })),
      ),
    },
  };
}

// ---------------------------------------------------------------------------------------------- processes

/** SIGTERM, then SIGKILL when the process has not exited after `graceMs`. */
export async function stopProcess(run: ChildRun, graceMs = 10_000): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), graceMs);
  await run.exited;
  clearTimeout(timer);
}

/** SIGKILL now; resolves with the wall-clock time the signal was sent, once the process is gone. */
export async function killHard(run: ChildRun): Promise<number> {
  const sentAt = Date.now();
  run.child.kill('SIGKILL');
  await run.exited;
  return sentAt;
}

export interface EmulatorProcess {
  url: string;
  run: ChildRun;
  call<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T>;
  stats(): Promise<{ refreshTokenReuse: number; tokenRequests: number; apiRequests: number }>;
}

async function startEmulatorProcess(dir: string, seed: EmulatorSeed): Promise<EmulatorProcess> {
  const seedFile = path.join(dir, 'emulator-seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  const run = runBinary(NCS_SERVER_BIN, ['emulator', '--port', '0', '--host', '127.0.0.1', '--seed', seedFile]);
  await run.waitFor(/^http:\/\/127\.0\.0\.1:\d+\n/m);
  const url = run.stdout().split('\n')[0]!.trim();
  const control = emulatorControl(url);
  const call = <T>(method: string, urlPath: string, body?: unknown): Promise<T> => control(method, urlPath, body) as Promise<T>;
  return { url, run, call, stats: () => call('GET', '/__emulator/stats') };
}

export interface ServerProcess {
  url: string;
  run: ChildRun;
  api<T = unknown>(method: string, urlPath: string, token?: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A session token of the global admin. */
  signIn(): Promise<string>;
  /** The value of one series of `GET /metrics` (0 when absent), e.g. `ncs_sync_rounds_total{outcome="synced"}`. */
  metric(series: string): Promise<number>;
}

export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

// ---------------------------------------------------------------------------------------------- the world

export interface SyncWorld {
  dir: string;
  kind: DatabaseKind;
  db: Db;
  vault: Vault;
  layout: SyncLayout;
  emulator: EmulatorProcess;
  app: { clientId: string; clientSecret: string; redirectUri: string };
  /** Starts `ncs-server start` on a free port with this world's configuration; `apiUrl` replaces the emulator for the REST API. */
  startServer(options?: { apiUrl?: string }): Promise<ServerProcess>;
  credentialOf(account: LayoutAccount): Promise<CredentialRow>;
  leases(): Promise<{ name: string; holder: string; expires_at: string }[]>;
  /** Stops every process (SIGTERM, then SIGKILL), closes the database and deletes its schema and the temp dir. */
  close(): Promise<void>;
}

export interface SyncWorldOptions {
  layout: SyncLayout;
  /** Default: PostgreSQL when it answers, else a SQLite file. */
  databaseKind?: DatabaseKind;
  /** Lifetime of the pairs minted for the seeded credentials; later pairs get `laterTokenTtlSeconds`. */
  mintTtlSeconds: number;
  laterTokenTtlSeconds?: number;
  syncInterval?: string;
}

/**
 * PostgreSQL (the multi-instance setting) when it answers, which CI requires; else a SQLite file the processes share.
 * The emulator runs as its own process with the layout's seed and a registered app; NCS holds every account's
 * credential (minted at the emulator) and every project, and a global admin.
 */
export async function startSyncWorld(options: SyncWorldOptions): Promise<SyncWorld> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ncs-sync-'));
  const dataDir = path.join(dir, 'data');
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const runs: ChildRun[] = [];
  const close = async () => {
    await Promise.all(runs.map((run) => stopProcess(run)));
    // NCS_TEST_SYNC_LOGS=DIR keeps every process's output (server logs) for a post-mortem.
    const keepLogs = process.env.NCS_TEST_SYNC_LOGS;
    if (keepLogs) runs.forEach((run, i) => writeFileSync(path.join(keepLogs, `${path.basename(dir)}-${i}.log`), `${run.stdout()}\n${run.stderr()}`));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const kind: DatabaseKind = options.databaseKind ?? ((await postgresAvailable()) ? 'postgres' : 'sqlite');
    const database = await openTestDatabase(kind, { sqliteFile: path.join(dataDir, 'ncs.db') });
    cleanups.push(() => database.close());
    const dbEnv = kind === 'postgres' ? database.env : { DATABASE_URL: '' };

    // The processes must reach the very database the test seeds: `migrate` finds it up to date.
    const migrate = runBinary(NCS_SERVER_BIN, ['migrate'], { ...dbEnv, NCS_DATA_DIR: dataDir });
    runs.push(migrate);
    if ((await migrate.exited) !== 0 || !/up to date/.test(migrate.stdout())) {
      throw new Error(`ncs-server migrate did not find the test database up to date: ${migrate.stdout()}${migrate.stderr()}`);
    }

    const emulator = await startEmulatorProcess(dir, emulatorSeedOf(options.layout));
    runs.push(emulator.run);
    const app = { clientId: 'ncs-sync-test', clientSecret: randomBytes(16).toString('hex'), redirectUri: `http://localhost:${await freePort()}/callback` };
    await emulator.call('PUT', '/__emulator/app', { clientId: app.clientId, clientSecret: app.clientSecret, redirectUris: [app.redirectUri] });

    const key = randomBytes(32);
    const vault = createVault([key]);
    await seedNcs(database.db, vault, emulator, options, app);
    if (options.laterTokenTtlSeconds !== undefined) await emulator.call('PUT', '/__emulator/settings', { accessTokenTtlSeconds: options.laterTokenTtlSeconds });

    const serverEnv = (port: number, apiUrl: string): Record<string, string> => ({
      ...dbEnv,
      NCS_DATA_DIR: dataDir,
      NCS_ENCRYPTION_KEY: key.toString('base64'),
      NCS_ENCRYPTION_KEYS_OLD: '',
      NCS_PUBLIC_URL: `http://127.0.0.1:${port}`,
      PROCORE_LOGIN_URL: emulator.url,
      PROCORE_API_URL: apiUrl,
      PROCORE_CLIENT_ID: app.clientId,
      PROCORE_CLIENT_SECRET: app.clientSecret,
      PROCORE_CLI_REDIRECT_URIS: app.redirectUri,
      NCS_SYNC_INTERVAL: options.syncInterval ?? '1s',
      NCS_TRUST_PROXY: '',
      HTTPS_PROXY: '',
      HTTP_PROXY: '',
      https_proxy: '',
      http_proxy: '',
    });

    return {
      dir,
      kind,
      db: database.db,
      vault,
      layout: options.layout,
      emulator,
      app,
      async startServer(serverOptions = {}) {
        const port = await freePort();
        const run = runBinary(NCS_SERVER_BIN, ['start', '--port', String(port), '--host', '127.0.0.1'], serverEnv(port, serverOptions.apiUrl ?? emulator.url));
        runs.push(run);
        await run.waitFor(/NCS backend listening on/, 30_000);
        return serverProcess(`http://127.0.0.1:${port}`, run);
      },
      async credentialOf(account) {
        return database.db.selectFrom('credentials').selectAll().where('procore_user_id', '=', account.id).executeTakeFirstOrThrow();
      },
      leases: () => database.db.selectFrom('leases').select(['name', 'holder', 'expires_at']).execute(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function seedNcs(db: Db, vault: Vault, emulator: EmulatorProcess, options: SyncWorldOptions, app: SyncWorld['app']): Promise<void> {
  const now = new Date();
  await createUser(db, { username: ADMIN.username, displayName: 'Sync Admin', password: ADMIN.password, isGlobalAdmin: true }, now);
  await emulator.call('PUT', '/__emulator/settings', { accessTokenTtlSeconds: options.mintTtlSeconds });
  for (const account of options.layout.accounts) {
    const minted = await emulator.call<ProcoreTokenResponse>('POST', `/__emulator/accounts/${encodeURIComponent(account.login)}/tokens`, {
      clientId: app.clientId,
      redirectUri: app.redirectUri,
    });
    await storeCredential(db, vault, {
      procoreUserId: account.id,
      procoreLogin: account.login,
      tokens: parseTokenResponse(minted),
      redirectUri: app.redirectUri,
      obtainedBy: ADMIN.username,
      now,
    });
  }
  for (const project of options.layout.projects) {
    await addProject(
      db,
      {
        number: project.number,
        name: `Project ${project.number}`,
        companyId: options.layout.companyId,
        projectId: project.procoreId,
        ballInCourt: project.bic.map((a) => ({ username: a.username, procoreLogin: a.login })),
      },
      now,
    );
  }
}

function serverProcess(url: string, run: ChildRun): ServerProcess {
  const api = async <T>(method: string, urlPath: string, token?: string, body?: unknown) => {
    const response = await fetch(`${url}${urlPath}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    url,
    run,
    api,
    async signIn() {
      const answer = await api<{ token: string }>('POST', '/api/v1/session', undefined, ADMIN);
      if (answer.status !== 201) throw new Error(`sign-in of ${ADMIN.username} at ${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.token;
    },
    async metric(series) {
      const response = await fetch(`${url}/metrics`);
      return metricValue(await response.text(), series);
    },
  };
}

// ---------------------------------------------------------------------------------------------- waiting

/** Polls `probe` until it returns a value other than undefined/false, or fails naming `what` after `timeoutMs`. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined | false>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

// ---------------------------------------------------------------------------------------------- holding proxy

export interface HoldingProxy {
  url: string;
  /** How many requests are being held (never answered) right now. */
  held(): number;
  close(): Promise<void>;
}

/**
 * Forwards to `target`, except requests `hold` picks: those are never answered, as Procore hanging on one call.
 * Lets a test stop a round at a chosen request (say, an RFI list's second page) rather than wherever an outage lands.
 */
export async function startHoldingProxy(target: string, hold: (request: IncomingMessage) => boolean): Promise<HoldingProxy> {
  const targetUrl = new URL(target);
  const held = new Set<ServerResponse>();
  const server = http.createServer((request, response) => {
    if (hold(request)) {
      held.add(response);
      response.on('close', () => held.delete(response));
      return;
    }
    const upstream = http.request(
      { hostname: targetUrl.hostname, port: targetUrl.port, path: request.url, method: request.method, headers: { ...request.headers, host: targetUrl.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    held: () => held.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
