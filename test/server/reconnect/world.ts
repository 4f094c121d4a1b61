// A reconnect test world: the real Procore emulator (ids above 2^32) and a test server wired to it, with users and projects.
import type { LightMyRequestResponse } from 'fastify';
import { OOB_REDIRECT_URI, type ProcoreTokenResponse } from '../../../src/core/index.js';
import { createProcoreClient, parseTokenResponse } from '../../../src/procore/index.js';
import { startEmulator, type EmulatorSeed, type RunningEmulator } from '../../../src/procore-emulator/index.js';
import { storeCredential, type CredentialRow } from '../../../src/server/credentials/store.js';
import { createSession } from '../../../src/server/directory/sessions.js';
import { grantProjectAdmin } from '../../../src/server/directory/users.js';
import { addProject } from '../../../src/server/projects/project-admin.js';
import { importTrimbleProjects } from '../../../src/server/projects/trimble-import.js';
import type { DatabaseKind } from '../../support/databases.js';
import { createTestClock, createTestServer, type TestClock, type TestServer } from '../../support/server-deps.js';
import { emulatorControl } from '../../support/emulator-control.js';

export const COMPANY = '5000000000001';
export const OTHER_COMPANY = '5000000000002';
export const PROCORE = {
  harbor: '7000000000001',
  library: '7000000000002',
  clinic: '7000000000003',
  lab: '7000000000004',
  depot: '7000000000005',
} as const;
export const ACCOUNT_IDS = {
  mlee: '9000000000001',
  jsmith: '9000000000002',
  dchan: '9000000000003',
  rkim: '9000000000004',
  intruder: '9000000000005',
} as const;
export const LOGINS = {
  mlee: 'mlee@example.test',
  jsmith: 'jsmith@example.test',
  dchan: 'dchan@example.test',
  rkim: 'rkim@example.test',
  intruder: 'intruder@example.test',
} as const;
export const PASSWORD = 'procore-pass';
export const CLIENT_ID = 'ncs-test';
export const CLIENT_SECRET = 'ncs-test-secret';
export const CLI_REDIRECTS = ['http://localhost:5599/callback', 'http://localhost:5600/callback'];

/**
 * Procore: mlee on Harbor; jsmith on Library, Clinic (company 1) and Lab (company 2); dchan on Depot
 * without Submittals; rkim on Harbor; the intruder on nothing.
 */
export function worldSeed(): EmulatorSeed {
  const access: EmulatorSeed['access'] = [
    { projectId: PROCORE.harbor, login: LOGINS.mlee },
    { projectId: PROCORE.harbor, login: LOGINS.rkim },
    { projectId: PROCORE.library, login: LOGINS.jsmith },
    { projectId: PROCORE.clinic, login: LOGINS.jsmith },
    { projectId: PROCORE.lab, login: LOGINS.jsmith },
    { projectId: PROCORE.depot, login: LOGINS.dchan, tools: { rfis: true, submittals: false } },
  ];
  return {
    companies: [
      { id: COMPANY, name: 'Big Ids Construction' },
      { id: OTHER_COMPANY, name: 'Other Builders' },
    ],
    projects: [
      { id: PROCORE.harbor, companyId: COMPANY, name: 'Harbor Tower' },
      { id: PROCORE.library, companyId: COMPANY, name: 'Civic Library' },
      { id: PROCORE.clinic, companyId: COMPANY, name: 'Riverside Clinic' },
      { id: PROCORE.lab, companyId: OTHER_COMPANY, name: 'North Campus Lab' },
      { id: PROCORE.depot, companyId: COMPANY, name: 'Depot Renovation' },
    ],
    accounts: (Object.keys(LOGINS) as (keyof typeof LOGINS)[]).map((name) => ({
      id: ACCOUNT_IDS[name],
      login: LOGINS[name],
      name: name.toUpperCase(),
      password: PASSWORD,
    })),
    access,
  };
}

export type UserName = 'gadmin' | 'padmin' | 'jsmith' | 'mlee' | 'dchan' | 'rkim' | 'viewer';

export interface World {
  emulator: RunningEmulator;
  server: TestServer;
  clock: TestClock;
  /** Bearer tokens by NCS user. */
  tokens: Record<UserName, string>;
  /** NCS project ids by number. */
  projectIds: Record<string, string>;
  api(method: 'GET' | 'POST', url: string, user: UserName | null, body?: unknown): Promise<LightMyRequestResponse>;
  control(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown): Promise<any>;
  /** Plays the person at Procore's sign-in page; returns the code and state from the redirect. */
  signIn(authorizeUrl: string, login: string, password?: string): Promise<{ code: string; state: string | null }>;
  /** Starts an attempt as `user` and signs in as `login`; returns the body to push. */
  attempt(user: UserName, number: string, login: string): Promise<{ attemptId: string; state: string; code: string }>;
  mint(login: string, body?: Record<string, string>): Promise<ProcoreTokenResponse>;
  liveTokens(login: string): Promise<{ accessToken: string; refreshToken: string; clientId: string }[]>;
  /** Stores a freshly minted pair for the account, as the demo does. */
  storeMinted(login: string, accountId: string): Promise<CredentialRow>;
  close(): Promise<void>;
}

/**
 * P-1001 Harbor (BIC mlee, then rkim), P-1002 Library (BIC jsmith; padmin is its Project Admin),
 * P-1003 Clinic (imported from Trimble; BIC jsmith then mlee), P-1004 Lab (BIC jsmith, other company),
 * P-1005 Depot (BIC dchan). The emulator and the server share the test clock.
 */
export async function startWorld(kind: DatabaseKind): Promise<World> {
  const clock = createTestClock(Date.parse('2026-01-15T09:00:00.000Z'));
  const emulator = await startEmulator({
    port: 0,
    seed: worldSeed(),
    app: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [...CLI_REDIRECTS, OOB_REDIRECT_URI] },
    now: () => clock.now().getTime(),
  });
  const env = {
    PROCORE_LOGIN_URL: emulator.url,
    PROCORE_API_URL: emulator.url,
    PROCORE_CLIENT_ID: CLIENT_ID,
    PROCORE_CLIENT_SECRET: CLIENT_SECRET,
    PROCORE_CLI_REDIRECT_URIS: CLI_REDIRECTS.join(','),
  };
  // The real client against the real emulator; only the retry pauses are skipped, to keep outage tests quick.
  const procore = createProcoreClient({
    loginUrl: emulator.url,
    apiUrl: emulator.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    sleep: async () => undefined,
    now: () => clock.now().getTime(),
    timeoutMs: 5000,
  });
  const server = await createTestServer(kind, { env, clock, deps: { procore } });
  const db = server.deps.db;
  const now = clock.now();

  const users: [UserName, boolean][] = [
    ['gadmin', true],
    ['padmin', false],
    ['jsmith', false],
    ['mlee', false],
    ['dchan', false],
    ['rkim', false],
    ['viewer', false],
  ];
  // Rows written directly: these tests never sign in with a password, and scrypt would slow every test.
  await db
    .insertInto('users')
    .values(users.map(([username, admin]) => ({
      username_key: username,
      username,
      display_name: username.toUpperCase(),
      password_hash: 'not-used',
      is_global_admin: admin ? 1 : 0,
      created_at: now.toISOString(),
    })))
    .execute();
  const tokens = {} as Record<UserName, string>;
  for (const [username] of users) tokens[username] = (await createSession(db, username, now)).token;

  const projectIds: Record<string, string> = {};
  const add = async (number: string, name: string, companyId: string, projectId: string, bic: [string, string][]) => {
    const item = await addProject(db, { number, name, companyId, projectId, ballInCourt: bic.map(([username, procoreLogin]) => ({ username, procoreLogin })) }, now);
    projectIds[number] = item.id;
  };
  await add('P-1001', 'Harbor Tower', COMPANY, PROCORE.harbor, [['mlee', LOGINS.mlee], ['rkim', LOGINS.rkim]]);
  await add('P-1002', 'Civic Library', COMPANY, PROCORE.library, [['jsmith', LOGINS.jsmith]]);
  const imported = await importTrimbleProjects(
    db,
    {
      fileName: 'trimble.json',
      content: JSON.stringify([
        {
          number: 'P-1003',
          name: 'Riverside Clinic',
          companyId: COMPANY,
          projectId: PROCORE.clinic,
          ballInCourt: [
            { username: 'jsmith', procoreLogin: LOGINS.jsmith },
            { username: 'mlee', procoreLogin: LOGINS.mlee },
          ],
        },
      ]),
    },
    now,
  );
  projectIds['P-1003'] = imported.projects[0]!.id;
  await add('P-1004', 'North Campus Lab', OTHER_COMPANY, PROCORE.lab, [['jsmith', LOGINS.jsmith]]);
  await add('P-1005', 'Depot Renovation', COMPANY, PROCORE.depot, [['dchan', LOGINS.dchan]]);
  await grantProjectAdmin(db, 'padmin', [projectIds['P-1002']!]);

  const control = emulatorControl(emulator.url);

  const signIn = async (authorizeUrl: string, login: string, password = PASSWORD) => {
    const page = await fetch(authorizeUrl, { redirect: 'manual' });
    if (page.status !== 200) throw new Error(`authorize page answered ${page.status}`);
    await page.text();
    const query = new URL(authorizeUrl).searchParams;
    const form = new URLSearchParams({
      client_id: query.get('client_id') ?? '',
      redirect_uri: query.get('redirect_uri') ?? '',
      response_type: query.get('response_type') ?? '',
      login,
      password,
      decision: 'allow',
    });
    if (query.get('state') !== null) form.set('state', query.get('state')!);
    const answer = await fetch(new URL('/oauth/authorize', authorizeUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    if (answer.status === 200) {
      // Out-of-band: Procore shows the code on a page.
      const html = await answer.text();
      const code = /<code id="authorization-code">([^<]+)<\/code>/.exec(html)?.[1];
      if (!code) throw new Error('no code on the out-of-band page');
      return { code, state: null };
    }
    const location = answer.headers.get('location');
    if (answer.status !== 302 || !location) throw new Error(`sign-in answered ${answer.status}`);
    const redirected = new URL(location);
    const code = redirected.searchParams.get('code');
    if (!code) throw new Error(`sign-in redirected without a code: ${redirected.searchParams.get('error')}`);
    return { code, state: redirected.searchParams.get('state') };
  };

  const api: World['api'] = (method, url, user, body) =>
    server.app.inject({
      method,
      url,
      headers: {
        ...(user ? { authorization: `Bearer ${tokens[user]}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  const world: World = {
    emulator,
    server,
    clock,
    tokens,
    projectIds,
    api,
    control,
    signIn,
    async attempt(user, number, login) {
      const started = await api('POST', `/api/v1/projects/${number}/reconnect`, user, {});
      if (started.statusCode !== 201) throw new Error(`reconnect answered ${started.statusCode}: ${started.body}`);
      const { attemptId, authorizeUrl, state } = started.json();
      const { code, state: returned } = await signIn(authorizeUrl, login);
      if (returned !== state) throw new Error('Procore returned another state');
      return { attemptId, state, code };
    },
    mint: (login, body = {}) => control('POST', `/__emulator/accounts/${encodeURIComponent(login)}/tokens`, body),
    liveTokens: (login) => control('GET', `/__emulator/accounts/${encodeURIComponent(login)}/tokens`),
    async storeMinted(login, accountId) {
      const minted = await world.mint(login);
      const { credential } = await storeCredential(db, server.deps.vault, {
        procoreUserId: accountId,
        procoreLogin: login,
        tokens: parseTokenResponse(minted),
        redirectUri: OOB_REDIRECT_URI,
        obtainedBy: 'test',
        now: clock.now(),
      });
      return credential;
    },
    async close() {
      await server.close();
      procore.close();
      await emulator.close();
    },
  };
  return world;
}

/** Every row of the tables an intake refused at step 2 must leave exactly as they were. */
export async function dumpIntakeTables(world: World): Promise<Record<string, unknown[]>> {
  const db = world.server.deps.db;
  return {
    credentials: await db.selectFrom('credentials').selectAll().orderBy('id').execute(),
    projects: await db.selectFrom('projects').selectAll().orderBy('id').execute(),
    account_results: await db.selectFrom('account_results').selectAll().orderBy('project_id').orderBy('login_key').execute(),
    bic_assignments: await db.selectFrom('bic_assignments').selectAll().orderBy('project_id').orderBy('position').execute(),
  };
}

export async function resultOf(world: World, number: string, login: string): Promise<string | undefined> {
  const row = await world.server.deps.db
    .selectFrom('account_results')
    .select('result')
    .where('project_id', '=', world.projectIds[number]!)
    .where('login_key', '=', login.toLowerCase())
    .executeTakeFirst();
  return row?.result;
}
