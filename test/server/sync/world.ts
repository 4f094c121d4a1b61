// A sync test world: the real Procore emulator in-process (ids above 2^32, a few RFIs and submittals per project)
// and a backend wired to it on the real clock, with helpers to run sync passes and read what they concluded.
import type { LightMyRequestResponse } from 'fastify';
import { OOB_REDIRECT_URI, type ProjectDetail, type ProcoreTokenResponse } from '../../../src/core/index.js';
import { createProcoreClient, parseTokenResponse } from '../../../src/procore/index.js';
import { startEmulator, type EmulatorSeed, type EmulatorStats, type RunningEmulator } from '../../../src/procore-emulator/index.js';
import { storeCredential, type CredentialRow } from '../../../src/server/credentials/store.js';
import type { ServerDeps } from '../../../src/server/deps.js';
import { createUser } from '../../../src/server/directory/users.js';
import { addProject } from '../../../src/server/projects/project-admin.js';
import { runSyncPass, type SyncPassReport } from '../../../src/server/sync/run-pass.js';
import type { DatabaseKind } from '../../support/databases.js';
import { createTestServer, type TestServer } from '../../support/server-deps.js';
import { emulatorControl } from '../../support/emulator-control.js';

export const COMPANY = '6100000000001';
/** Procore project ids, all above 2^32. */
export const PROCORE = { harbor: '7100000000001', library: '7100000000002' } as const;
export type AccountName = 'alice' | 'bob' | 'carol';
export const ACCOUNTS: Record<AccountName, { id: string; login: string }> = {
  alice: { id: '9100000000001', login: 'alice@example.test' },
  bob: { id: '9100000000002', login: 'bob@example.test' },
  carol: { id: '9100000000003', login: 'carol@example.test' },
};
/** Items seeded per project; they were last changed well before any sync window of a test. */
export const SEEDED_RFIS = 3;
export const SEEDED_SUBMITTALS = 2;
export const SEEDED_UPDATED_AT = new Date(Date.now() - 2 * 3600_000).toISOString();
/** First seeded RFI id of each project (the others follow, submittals from +50): item ids above 2^32 too. */
export const FIRST_RFI = { harbor: '8100000000001', library: '8100000000101' } as const;
const SUBMITTAL_ID_OFFSET = 50;

const CLIENT_ID = 'ncs-sync-test';
const CLIENT_SECRET = 'ncs-sync-test-secret';
const REDIRECT_URIS = ['http://localhost:5599/callback', OOB_REDIRECT_URI];
const ADMIN = { username: 'gadmin', password: 'sync-admin-pass' };

/** Every account is a member of every project with both tools; tests take access away through the controls. */
export function syncSeed(): EmulatorSeed {
  const projects = Object.entries(PROCORE) as [keyof typeof PROCORE, string][];
  const idAfter = (first: string, offset: number) => (BigInt(first) + BigInt(offset)).toString();
  return {
    companies: [{ id: COMPANY, name: 'Sync Builders' }],
    projects: projects.map(([key, id]) => ({ id, companyId: COMPANY, name: `${key} project` })),
    accounts: (Object.keys(ACCOUNTS) as AccountName[]).map((name) => ({ ...ACCOUNTS[name], name: name.toUpperCase(), password: 'procore-pass' })),
    access: projects.flatMap(([, projectId]) => Object.values(ACCOUNTS).map(({ login }) => ({ projectId, login }))),
    items: {
      rfis: projects.flatMap(([key, projectId]) =>
        Array.from({ length: SEEDED_RFIS }, (_, i) => ({ projectId, id: idAfter(FIRST_RFI[key], i), subject: `${key} RFI ${i + 1}`, updatedAt: SEEDED_UPDATED_AT })),
      ),
      submittals: projects.flatMap(([key, projectId]) =>
        Array.from({ length: SEEDED_SUBMITTALS }, (_, i) => ({
          projectId,
          id: idAfter(FIRST_RFI[key], SUBMITTAL_ID_OFFSET + i),
          title: `${key} submittal ${i + 1}`,
          updatedAt: SEEDED_UPDATED_AT,
        })),
      ),
    },
  };
}

export interface AccountResultRow {
  result: string;
  message: string | null;
  checked_at: string;
}

export interface SyncWorld {
  running: RunningEmulator;
  server: TestServer;
  deps: ServerDeps;
  /** NCS project ids by number. */
  projectIds: Record<string, string>;
  /** Adds an NCS project for a Procore project, BIC accounts in failover order. */
  addProject(number: string, procoreProjectId: string, bic: AccountName[]): Promise<string>;
  /** Mints a token pair at the emulator (as a completed sign-in) and stores it as the account's credential. */
  connect(account: AccountName): Promise<CredentialRow>;
  mint(account: AccountName): Promise<ProcoreTokenResponse>;
  /** One `runSyncPass` after making every project due. */
  syncOnce(): Promise<SyncPassReport>;
  /** `runSyncPass` over what is due by itself. */
  pass(): Promise<SyncPassReport>;
  /** The API's project detail, read as a Global Admin. */
  project(number: string): Promise<ProjectDetail>;
  /** A call to the backend as the Global Admin. */
  api(method: 'GET' | 'POST', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** A control (or any) call to the emulator; throws unless 2xx. */
  emulator(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown): Promise<any>;
  stats(): Promise<EmulatorStats>;
  /** One series of `/metrics`, e.g. `ncs_sync_failures_total{reason="token_revoked"}`; 0 when absent. */
  metric(series: string): Promise<number>;
  result(number: string, account: AccountName | string): Promise<AccountResultRow | undefined>;
  credential(account: AccountName): Promise<CredentialRow>;
  failedRounds(number: string): Promise<number>;
  /** Emulator item counts of a Procore project. */
  procoreCounts(procoreProjectId: string): { rfis: number; submittals: number };
  close(): Promise<void>;
}

export interface SyncWorldOptions {
  /** Procore HTTP timeout; 1 s keeps `timeout` outages quick. */
  timeoutMs?: number;
  syncInterval?: string;
}

export async function startSyncWorld(kind: DatabaseKind, options: SyncWorldOptions = {}): Promise<SyncWorld> {
  const running = await startEmulator({ port: 0, seed: syncSeed(), app: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: REDIRECT_URIS } });
  // The real client against the real emulator on the real clock; retry pauses are skipped to keep outages quick.
  const procore = createProcoreClient({
    loginUrl: running.url,
    apiUrl: running.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    sleep: async () => undefined,
    timeoutMs: options.timeoutMs ?? 1000,
  });
  let server: TestServer | undefined;
  try {
    server = await createTestServer(kind, {
      env: {
        PROCORE_LOGIN_URL: running.url,
        PROCORE_API_URL: running.url,
        PROCORE_CLIENT_ID: CLIENT_ID,
        PROCORE_CLIENT_SECRET: CLIENT_SECRET,
        NCS_SYNC_INTERVAL: options.syncInterval ?? '60s',
      },
      deps: { procore, now: () => new Date() },
    });
    return await assemble(running, server, procore);
  } catch (error) {
    await server?.close();
    procore.close();
    await running.close();
    throw error;
  }
}

async function assemble(running: RunningEmulator, server: TestServer, procore: { close(): void }): Promise<SyncWorld> {
  const { deps } = server;
  const db = deps.db;
  await createUser(db, { username: ADMIN.username, displayName: 'Global Admin', password: ADMIN.password, isGlobalAdmin: true }, deps.now());
  const signedIn = await server.app.inject({ method: 'POST', url: '/api/v1/session', payload: ADMIN });
  if (signedIn.statusCode !== 201) throw new Error(`sign-in answered ${signedIn.statusCode}: ${signedIn.body}`);
  const bearer = `Bearer ${signedIn.json().token as string}`;
  const projectIds: Record<string, string> = {};

  const emulator: SyncWorld['emulator'] = emulatorControl(running.url);
  const api: SyncWorld['api'] = (method, url, body) =>
    server.app.inject({
      method,
      url,
      headers: { authorization: bearer, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const loginKey = (account: AccountName | string) => (account in ACCOUNTS ? ACCOUNTS[account as AccountName].login : account).toLowerCase();

  const world: SyncWorld = {
    running,
    server,
    deps,
    projectIds,
    async addProject(number, procoreProjectId, bic) {
      const item = await addProject(
        db,
        { number, name: `Project ${number}`, companyId: COMPANY, projectId: procoreProjectId, ballInCourt: bic.map((name) => ({ username: name, procoreLogin: ACCOUNTS[name].login })) },
        deps.now(),
      );
      projectIds[number] = item.id;
      return item.id;
    },
    mint: (account) => emulator('POST', `/__emulator/accounts/${encodeURIComponent(ACCOUNTS[account].login)}/tokens`, { clientId: CLIENT_ID, redirectUri: OOB_REDIRECT_URI }),
    async connect(account) {
      const minted = await world.mint(account);
      const { credential } = await storeCredential(db, deps.vault, {
        procoreUserId: ACCOUNTS[account].id,
        procoreLogin: ACCOUNTS[account].login,
        tokens: parseTokenResponse(minted),
        redirectUri: OOB_REDIRECT_URI,
        obtainedBy: ADMIN.username,
        now: deps.now(),
      });
      return credential;
    },
    async syncOnce() {
      await db.updateTable('projects').set({ sync_due_at: null }).execute();
      return runSyncPass(deps);
    },
    pass: () => runSyncPass(deps),
    async project(number) {
      const answer = await api('GET', `/api/v1/projects/${encodeURIComponent(number)}`);
      if (answer.statusCode !== 200) throw new Error(`project ${number} answered ${answer.statusCode}: ${answer.body}`);
      return answer.json() as ProjectDetail;
    },
    api,
    emulator,
    stats: () => emulator('GET', '/__emulator/stats'),
    async metric(series) {
      const text = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    },
    result: (number, account) =>
      db
        .selectFrom('account_results')
        .select(['result', 'message', 'checked_at'])
        .where('project_id', '=', projectIds[number]!)
        .where('login_key', '=', loginKey(account))
        .executeTakeFirst(),
    credential: (account) => db.selectFrom('credentials').selectAll().where('procore_user_id', '=', ACCOUNTS[account].id).executeTakeFirstOrThrow(),
    async failedRounds(number) {
      const row = await db.selectFrom('projects').select('failed_rounds').where('id', '=', projectIds[number]!).executeTakeFirstOrThrow();
      return row.failed_rounds;
    },
    procoreCounts(procoreProjectId) {
      const id = Number(procoreProjectId);
      return { rfis: running.state.world.items('rfis', id).length, submittals: running.state.world.items('submittals', id).length };
    },
    async close() {
      try {
        await server.close();
      } finally {
        procore.close();
        await running.close();
      }
    },
  };
  return world;
}
