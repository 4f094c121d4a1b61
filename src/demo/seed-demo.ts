// Seeds the demo (SPEC 8) into a running emulator and a fresh backend, breaks things in Procore, and runs one sync round.
import { parseTokenResponse } from '../procore/index.js';
import type { ProcoreTokenResponse } from '../core/index.js';
import type { ServerDeps } from '../server/deps.js';
import { createUser, grantProjectAdmin } from '../server/directory/users.js';
import { addProject } from '../server/projects/project-admin.js';
import { importTrimbleProjects } from '../server/projects/trimble-import.js';
import { storeCredential } from '../server/credentials/store.js';
import { runSyncPass } from '../server/sync/run-pass.js';

export const DEMO_PASSWORD = 'demo';
export const DEMO_COMPANY_ID = '4242';

export const DEMO_USERS = [
  { username: 'gadmin', displayName: 'Grace Admin', isGlobalAdmin: true },
  { username: 'padmin', displayName: 'Pat Admin', isGlobalAdmin: false },
  { username: 'jsmith', displayName: 'Jordan Smith', isGlobalAdmin: false },
  { username: 'mlee', displayName: 'Morgan Lee', isGlobalAdmin: false },
  { username: 'rkim', displayName: 'Riley Kim', isGlobalAdmin: false },
  { username: 'dchan', displayName: 'Dana Chan', isGlobalAdmin: false },
  { username: 'viewer', displayName: 'Vic Viewer', isGlobalAdmin: false },
] as const;

export const DEMO_PROJECTS = [
  { number: 'P-1001', name: 'Harbor Tower', projectId: '5001', bic: 'mlee' },
  { number: 'P-1002', name: 'Civic Library', projectId: '5002', bic: 'jsmith' },
  { number: 'P-1004', name: 'North Campus Lab', projectId: '5004', bic: 'rkim' },
  { number: 'P-1005', name: 'Depot Renovation', projectId: '5005', bic: 'dchan' },
] as const;

/** P-1003 arrives through the Trimble import path, as a migrated project would. */
export const DEMO_TRIMBLE_CSV = [
  'number,name,companyId,projectId,bicUsernames,bicLogins',
  'P-1003,Riverside Clinic,4242,5003,jsmith,jsmith@demo.example',
  '',
].join('\n');

const loginOf = (username: string) => `${username}@demo.example`;

/** Calls a control endpoint of the emulator; the demo breaks things through the same doors the tests use. */
async function control(emulatorUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${emulatorUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator ${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

export interface DemoSeedOptions {
  /** Where the emulator's control endpoints answer (the demo's PROCORE_API_URL). */
  emulatorUrl: string;
  /** The redirect URI the minted pairs count as obtained with (sent again on refresh). */
  redirectUri: string;
}

/** Everything of SPEC 8's sequence after the servers are up; the statuses come from the sync round at the end. */
export async function seedDemo(deps: ServerDeps, options: DemoSeedOptions): Promise<void> {
  const now = deps.now();
  const minted = new Map<string, ProcoreTokenResponse>();
  for (const { bic } of DEMO_PROJECTS) {
    const token = (await control(options.emulatorUrl, 'POST', `/__emulator/accounts/${encodeURIComponent(loginOf(bic))}/tokens`, {
      clientId: deps.config.procore.clientId,
      redirectUri: options.redirectUri,
    })) as ProcoreTokenResponse;
    minted.set(bic, token);
  }

  for (const user of DEMO_USERS) {
    await createUser(deps.db, { ...user, password: DEMO_PASSWORD }, now);
  }
  for (const project of DEMO_PROJECTS) {
    await addProject(
      deps.db,
      {
        number: project.number,
        name: project.name,
        companyId: DEMO_COMPANY_ID,
        projectId: project.projectId,
        ballInCourt: [{ username: project.bic, procoreLogin: loginOf(project.bic) }],
      },
      now,
    );
  }
  for (const response of minted.values()) {
    const tokens = parseTokenResponse(response);
    const me = await deps.procore.getMe(tokens.accessToken);
    await storeCredential(deps.db, deps.vault, {
      procoreUserId: me.id,
      procoreLogin: me.login,
      tokens,
      redirectUri: options.redirectUri,
      obtainedBy: 'demo',
      now,
    });
  }
  const projectIds = await deps.db
    .selectFrom('projects')
    .select(['id', 'number'])
    .where('number', 'in', ['P-1001', 'P-1002'])
    .execute();
  await grantProjectAdmin(deps.db, 'padmin', projectIds.map((p) => p.id));
  await importTrimbleProjects(deps.db, { fileName: 'demo-trimble.csv', content: DEMO_TRIMBLE_CSV }, now, { actor: 'demo' });

  await control(options.emulatorUrl, 'POST', `/__emulator/accounts/${encodeURIComponent(loginOf('jsmith'))}/revoke`);
  await control(options.emulatorUrl, 'POST', `/__emulator/accounts/${encodeURIComponent(loginOf('rkim'))}/expire`);
  await control(options.emulatorUrl, 'PUT', `/__emulator/projects/5005/access/${encodeURIComponent(loginOf('dchan'))}`, { allowed: false });

  // One real sync round: the statuses printed are its verdicts against the emulator (SPEC 8).
  await runSyncPass(deps);
}
