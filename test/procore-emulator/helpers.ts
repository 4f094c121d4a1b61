// Shared set-up for the emulator tests: a seed with ids above 2^32, a clock the test moves, sign-in helpers.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildEmulatorApp, EmulatorState, type EmulatorSeed, type RegisteredApp, type TokenResponse } from '../../src/procore-emulator/index.js';

export const COMPANY = 5_000_000_000_001;
export const OTHER_COMPANY = 5_000_000_000_002;
export const HARBOR = 7_000_000_000_101;
export const LIBRARY = 7_000_000_000_102;
export const ELSEWHERE = 7_000_000_000_201;
export const ALICE_ID = 9_000_000_000_001;
export const BOB_ID = 9_000_000_000_002;
export const FIRST_RFI = 8_000_000_000_001;

export const ALICE = 'alice@example.test';
export const BOB = 'bob@example.test';
export const PASSWORD = 's3cret!';

export const REDIRECT = 'http://localhost:5599/callback';
export const OTHER_REDIRECT = 'http://localhost:5600/callback';
export const OOB = 'urn:ietf:wg:oauth:2.0:oob';

export const TEST_APP: RegisteredApp = {
  clientId: 'test-client',
  clientSecret: 'test-secret',
  redirectUris: [REDIRECT, OTHER_REDIRECT, OOB],
};

export const START = Date.parse('2025-03-01T12:00:00.000Z');

/**
 * Alice: Harbor with every tool, Library with RFIs only. Bob: Elsewhere (another company) only.
 * Ids are given as strings and numbers on purpose: both forms must be accepted.
 */
export function testSeed(): EmulatorSeed {
  return {
    companies: [
      { id: String(COMPANY), name: 'Big Ids Construction' },
      { id: OTHER_COMPANY, name: 'Other Builders' },
    ],
    projects: [
      { id: String(HARBOR), companyId: String(COMPANY), name: 'Harbor' },
      { id: LIBRARY, companyId: COMPANY, name: 'Library' },
      { id: ELSEWHERE, companyId: OTHER_COMPANY, name: 'Elsewhere' },
    ],
    accounts: [
      { id: String(ALICE_ID), login: ALICE, name: 'Alice Able', password: PASSWORD },
      { id: BOB_ID, login: BOB, name: 'Bob Baker', password: PASSWORD },
    ],
    access: [
      { projectId: HARBOR, login: ALICE },
      { projectId: LIBRARY, login: ALICE, tools: { rfis: true, submittals: false } },
      { projectId: ELSEWHERE, login: BOB },
    ],
    items: {
      rfis: [
        { projectId: HARBOR, id: String(FIRST_RFI), subject: 'Anchor spacing' },
        { projectId: HARBOR, subject: 'Pile caps' },
        { projectId: LIBRARY, subject: 'Skylight' },
      ],
      submittals: [{ projectId: HARBOR, title: 'Steel shop drawings' }],
    },
  };
}

export interface Clock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function testClock(start = START): Clock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}

export interface TestEmulator {
  app: FastifyInstance;
  state: EmulatorState;
  clock: Clock;
}

export function buildTestEmulator(): TestEmulator {
  const clock = testClock();
  const state = new EmulatorState({ seed: testSeed(), app: TEST_APP, now: clock.now });
  return { app: buildEmulatorApp({ state }), state, clock };
}

export function form(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return { payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/** Signs in through the consent form and returns the redirect's parameters. */
export async function authorize(
  app: FastifyInstance,
  input: { login?: string; password?: string; redirectUri?: string; state?: string; decision?: string; cookie?: string } = {},
): Promise<{ response: LightMyRequestResponse; location?: URL }> {
  const fields: Record<string, string> = {
    client_id: TEST_APP.clientId,
    redirect_uri: input.redirectUri ?? REDIRECT,
    response_type: 'code',
    decision: input.decision ?? 'allow',
  };
  if (input.state !== undefined) fields.state = input.state;
  if (input.login !== undefined) fields.login = input.login;
  if (input.password !== undefined) fields.password = input.password;
  const body = form(fields);
  const response = await app.inject({
    method: 'POST',
    url: '/oauth/authorize',
    payload: body.payload,
    headers: { ...body.headers, ...(input.cookie ? { cookie: input.cookie } : {}) },
  });
  const location = response.headers.location;
  return { response, location: typeof location === 'string' ? new URL(location) : undefined };
}

/** A code for Alice (by default) through the full sign-in. */
export async function codeFor(app: FastifyInstance, login = ALICE, redirectUri = REDIRECT): Promise<string> {
  const { response, location } = await authorize(app, { login, password: PASSWORD, redirectUri, state: 'st' });
  expect(response.statusCode).toBe(302);
  const code = location?.searchParams.get('code');
  expect(code).toMatch(/^[0-9a-f]{64}$/);
  return code as string;
}

export async function tokenCall(app: FastifyInstance, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/oauth/token', ...form({ client_id: TEST_APP.clientId, client_secret: TEST_APP.clientSecret, ...fields }) });
}

export async function redeem(app: FastifyInstance, code: string, redirectUri = REDIRECT): Promise<LightMyRequestResponse> {
  return tokenCall(app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
}

export async function refresh(app: FastifyInstance, refreshToken: string, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return tokenCall(app, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
}

/** A token pair for the account, minted through the control endpoint. */
export async function mint(app: FastifyInstance, login = ALICE, body: Record<string, string> = {}): Promise<TokenResponse> {
  const response = await app.inject({ method: 'POST', url: `/__emulator/accounts/${encodeURIComponent(login)}/tokens`, payload: body });
  expect(response.statusCode).toBe(200);
  return response.json() as TokenResponse;
}

export async function api(
  app: FastifyInstance,
  url: string,
  accessToken: string | undefined,
  /** null sends no Procore-Company-Id header. */
  company: number | string | null = COMPANY,
  extraHeaders: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
  if (company !== null) headers['procore-company-id'] = String(company);
  return app.inject({ method: 'GET', url, headers });
}

export async function control(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
}
