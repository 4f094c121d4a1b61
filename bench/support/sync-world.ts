// The sync-round bench's Procore world: N projects of one company, their BIC accounts (project i → account i mod A),
// two RFIs and two submittals each. The backend side (bench/support/sync-setup.ts) seeds the same ids.
import type { EmulatorSeed } from '../../src/procore-emulator/index.js';

/** test/support/seed-projects.ts numbers Procore projects 2^32 + index, index from 1; the company is its default. */
export const BENCH_COMPANY_ID = '4294967396';
export const procoreProjectId = (index: number): number => 4294967296 + index;
export const RFIS_PER_PROJECT = 2;
export const SUBMITTALS_PER_PROJECT = 2;
export const ITEMS_PER_PROJECT = RFIS_PER_PROJECT + SUBMITTALS_PER_PROJECT;

export const accountId = (account: number): number => 9_000_000_000 + account;
export const accountLogin = (account: number): string => `pm${account}@bench.example`;
export const accountUsername = (account: number): string => `pm${account}`;
/** The BIC account of the project at `index`. */
export const accountOf = (index: number, accounts: number): number => index % accounts;

export function syncWorldSeed(projects: number, accounts: number): EmulatorSeed {
  const seed: EmulatorSeed = {
    companies: [{ id: BENCH_COMPANY_ID, name: 'Bench Builders' }],
    projects: [],
    accounts: Array.from({ length: accounts }, (_, a) => ({ id: accountId(a), login: accountLogin(a), name: `PM ${a}`, password: 'bench' })),
    access: [],
    items: { rfis: [], submittals: [] },
  };
  for (let index = 1; index <= projects; index++) {
    const projectId = procoreProjectId(index);
    seed.projects.push({ id: projectId, companyId: BENCH_COMPANY_ID, name: `Project ${index}` });
    seed.access.push({ projectId, login: accountLogin(accountOf(index, accounts)) });
    for (let n = 1; n <= RFIS_PER_PROJECT; n++) seed.items!.rfis!.push({ projectId, subject: `RFI ${n} of project ${index}` });
    for (let n = 1; n <= SUBMITTALS_PER_PROJECT; n++) seed.items!.submittals!.push({ projectId, title: `Submittal ${n} of project ${index}` });
  }
  return seed;
}

/** A call to the emulator's control endpoints; throws on anything but 2xx. */
export async function emulatorControl<T = unknown>(url: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface EmulatorStats {
  refreshTokenReuse: number;
  tokenRequests: number;
  apiRequests: number;
}
