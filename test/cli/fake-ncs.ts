// A stand-in for the NCS HTTP API (SPEC 4.2 shapes) as msw handlers, with users, sessions and projects in memory.
import { http, HttpResponse, type HttpHandler } from 'msw';
import {
  ERROR_CATALOGUE,
  REASON_TEXTS,
  type AccountCheck,
  type ErrorCode,
  type MeResponse,
  type ProjectDetail,
  type ProjectItem,
  type ProjectStatus,
} from '../../src/core/index.js';

export const SERVER = 'https://ncs.example.test';

export interface FakeUser {
  username: string;
  displayName: string;
  globalAdmin?: boolean;
  projectAdminOf?: string[];
  bicOf?: string[];
}

export interface FakeNcs {
  users: FakeUser[];
  projects: ProjectItem[];
  /** token → username */
  sessions: Map<string, string>;
  revoked: string[];
  requests: Array<{ method: string; url: URL; authorization: string | null; body: unknown }>;
  checks: Record<string, AccountCheck[]>;
  /** Everyone's password. */
  password: string;
  handlers: HttpHandler[];
  /** Signs a user in directly; returns the token. */
  sessionFor(username: string): string;
}

export function apiError(code: ErrorCode, init: { message?: string; headers?: Record<string, string>; status?: number } = {}) {
  const spec = ERROR_CATALOGUE[code];
  return HttpResponse.json(
    { error: { code, message: init.message ?? spec.message, ...('hint' in spec && spec.hint ? { hint: spec.hint } : {}) } },
    { status: init.status ?? spec.httpStatus, headers: init.headers },
  );
}

export function project(number: string, name: string, status: ProjectStatus, options: Partial<ProjectItem> & { bic?: string[] } = {}): ProjectItem {
  const bic = options.bic ?? ['jsmith'];
  const reason = options.reason ?? (status === 'connected' ? null : status === 'degraded' ? 'procore_unreachable' : 'token_revoked');
  const suffix = number.replace(/[^0-9]/g, '').padStart(4, '0').slice(-4);
  return {
    // prj_ + 20 base32 characters, derived from the number so that it is stable.
    id: options.id ?? `prj_${'q'.repeat(16)}${[...suffix].map((digit) => 'abcdefghij'[Number(digit)]).join('')}`,
    number,
    name,
    status,
    reason,
    accounts:
      options.accounts ??
      (status === 'connection_lost' && reason ? bic.slice(0, 1).map((u) => ({ login: `${u}@demo.example`, procoreUserId: '562949953421312', reason })) : []),
    ballInCourt: bic.map((u) => ({ username: u, displayName: u.toUpperCase(), procoreLogin: `${u}@demo.example`, procoreUserId: '562949953421312' })),
    procore: { companyId: '4242', projectId: `50${suffix}` },
    lastSyncAt: options.lastSyncAt === undefined ? '2025-01-31T12:00:00.000Z' : options.lastSyncAt,
  };
}

export function demoProjects(): ProjectItem[] {
  return [
    project('P-1001', 'Harbor Tower', 'connected', { bic: ['mlee'] }),
    project('P-1002', 'Civic Library', 'connection_lost', { reason: 'token_revoked' }),
    project('P-1003', 'Riverside Clinic', 'connection_lost', { reason: 'migrated_from_trimble', lastSyncAt: null }),
    project('P-1004', 'North Campus Lab', 'connection_lost', { bic: ['rkim'], reason: 'token_expired' }),
    project('P-1005', 'Depot Renovation', 'connection_lost', { bic: ['dchan'], reason: 'permission_denied' }),
  ];
}

export function detailOf(item: ProjectItem): ProjectDetail {
  const text = item.reason ? REASON_TEXTS[item.reason] : undefined;
  return {
    ...item,
    summary: text?.summary ?? null,
    description: text?.description ?? null,
    remedy: text?.remedy ?? [],
    since: '2025-01-30T08:00:00.000Z',
    warnings: [],
    sync: { lastSyncAt: item.lastSyncAt, lastError: null, rfis: 3, submittals: 2 },
  };
}

export const DEMO_USERS: FakeUser[] = [
  { username: 'gadmin', displayName: 'Gail Admin', globalAdmin: true },
  { username: 'padmin', displayName: 'Pat Admin', projectAdminOf: ['P-1001', 'P-1002'] },
  { username: 'jsmith', displayName: 'Jane Smith', bicOf: ['P-1002', 'P-1003'] },
];

let tokenCounter = 0;

/** The fake server; every caller sees every project (visibility is not what these tests are about). */
export function fakeNcs(options: { projects?: ProjectItem[]; users?: FakeUser[]; server?: string } = {}): FakeNcs {
  const server = options.server ?? SERVER;
  const state: FakeNcs = {
    users: options.users ?? DEMO_USERS,
    projects: options.projects ?? demoProjects(),
    sessions: new Map(),
    revoked: [],
    requests: [],
    checks: {},
    password: 'demo',
    handlers: [],
    sessionFor(username) {
      const token = `ncs_s_${username}_${++tokenCounter}_secretsessiontoken`;
      state.sessions.set(token, username);
      return token;
    },
  };

  const record = async (request: Request) => {
    let body: unknown;
    try {
      body = request.method === 'GET' ? undefined : await request.clone().json();
    } catch {
      body = undefined;
    }
    state.requests.push({ method: request.method, url: new URL(request.url), authorization: request.headers.get('authorization'), body });
  };
  const userOf = (request: Request): FakeUser | undefined => {
    const token = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
    const username = token ? state.sessions.get(token) : undefined;
    return state.users.find((u) => u.username === username);
  };
  const findProject = (ref: string) => state.projects.find((p) => p.id === ref || p.number === ref);
  const authed = (handler: (request: Request, user: FakeUser, params: Record<string, string>) => Response | Promise<Response>) =>
    async ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => {
      await record(request);
      const user = userOf(request);
      if (!user) return apiError(request.headers.get('authorization') ? 'session_expired' : 'unauthenticated');
      return handler(request, user, params as Record<string, string>);
    };

  state.handlers = [
    http.post(`${server}/api/v1/session`, async ({ request }) => {
      await record(request);
      const { username, password } = (await request.json()) as { username: string; password: string };
      if (/[\\@]/.test(username)) return apiError('username_includes_domain');
      const user = state.users.find((u) => u.username === username.toLowerCase());
      if (!user || password !== state.password) return apiError('invalid_credentials');
      const token = state.sessionFor(user.username);
      return HttpResponse.json(
        { token, expiresAt: '2025-02-01T12:00:00.000Z', user: { username: user.username, displayName: user.displayName, isGlobalAdmin: Boolean(user.globalAdmin) } },
        { status: 201 },
      );
    }),
    http.delete(
      `${server}/api/v1/session`,
      authed((request) => {
        const token = request.headers.get('authorization')!.slice('Bearer '.length);
        state.sessions.delete(token);
        state.revoked.push(token);
        return new HttpResponse(null, { status: 204 });
      }),
    ),
    http.get(
      `${server}/api/v1/me`,
      authed((_request, user) => {
        const me: MeResponse = {
          user: { username: user.username, displayName: user.displayName, isGlobalAdmin: Boolean(user.globalAdmin) },
          roles: { globalAdmin: Boolean(user.globalAdmin), projectAdminOf: user.projectAdminOf ?? [], bicOf: user.bicOf ?? [] },
        };
        return HttpResponse.json(me);
      }),
    ),
    http.get(
      `${server}/api/v1/projects/summary`,
      authed(() =>
        HttpResponse.json({
          connected: state.projects.filter((p) => p.status === 'connected').length,
          lost: state.projects.filter((p) => p.status === 'connection_lost').length,
          degraded: state.projects.filter((p) => p.status === 'degraded').length,
        }),
      ),
    ),
    http.get(
      `${server}/api/v1/projects`,
      authed((request) => {
        const url = new URL(request.url);
        const status = url.searchParams.get('status');
        const q = url.searchParams.get('q')?.toLowerCase();
        const limit = Number(url.searchParams.get('limit') ?? 50);
        if (!(limit >= 1 && limit <= 200)) return apiError('validation_failed');
        const offset = Number(Buffer.from(url.searchParams.get('cursor') ?? 'MA==', 'base64url').toString() || 0);
        const all = state.projects
          .filter((p) => !status || p.status === status)
          .filter((p) => !q || p.number.toLowerCase().includes(q) || p.name.toLowerCase().includes(q));
        const items = all.slice(offset, offset + limit);
        const nextCursor = offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
        return HttpResponse.json({ items, nextCursor });
      }),
    ),
    http.get(
      `${server}/api/v1/projects/:ref`,
      authed((_request, _user, params) => {
        const found = findProject(params.ref);
        return found ? HttpResponse.json(detailOf(found)) : apiError('project_not_found');
      }),
    ),
    http.post(
      `${server}/api/v1/projects/:ref/check`,
      authed((_request, _user, params) => {
        const found = findProject(params.ref);
        if (!found) return apiError('project_not_found');
        return HttpResponse.json({
          checks: state.checks[found.number] ?? [
            { account: found.ballInCourt[0].procoreLogin, procoreUserId: '562949953421312', credential: 'dead', accountMatches: null, projectReachable: null, toolsReachable: null, reason: 'token_revoked' },
          ],
        });
      }),
    ),
  ];
  return state;
}
