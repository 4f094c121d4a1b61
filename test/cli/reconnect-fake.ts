// The reconnect endpoints of the NCS API (SPEC 4.2, 4.3) as msw handlers, and a scripted "browser" that plays the person at Procore.
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { ProcoreTokenAccepted, ProjectItem, ReconnectStarted } from '../../src/core/index.js';
import type { BrowserOpener } from '../../src/cli/factory.js';
import { apiError, detailOf, SERVER, type FakeNcs } from './fake-ncs.js';
import { NOW } from './harness.js';

export const OOB = 'urn:ietf:wg:oauth:2.0:oob';
export const STATE = 'st4te-0f-th1s-attempt';
export const CODE = 'c0de-fr0m-procore';

export interface ReconnectFake {
  handlers: HttpHandler[];
  /** Bodies of `POST /reconnect` and `POST /procore-token`, by project ref. */
  starts: Array<{ ref: string; body: Record<string, unknown> }>;
  pushes: Array<{ ref: string; body: Record<string, unknown> }>;
}

export interface ReconnectFakeOptions {
  redirectUris: string[];
  /** What `POST /reconnect` answers, on top of a well-formed attempt for the requested redirect URI. */
  started?: (ref: string, base: ReconnectStarted) => Partial<ReconnectStarted>;
  /** What `POST /procore-token` answers; default: success restoring the project and its siblings of the same BIC. */
  verdict?: (ref: string, body: Record<string, unknown>) => Response;
  authorizeOrigin?: string;
}

export function accepted(ncs: FakeNcs, ref: string, login = 'jsmith@demo.example'): ProcoreTokenAccepted {
  const project = ncs.projects.find((p) => p.id === ref || p.number === ref)!;
  const sameAccount = ncs.projects.filter((p) => p.status === 'connection_lost' && p.ballInCourt.some((b) => b.procoreLogin === project.ballInCourt[0].procoreLogin));
  const restored: ProjectItem[] = [project, ...sameAccount.filter((p) => p.id !== project.id)].map((p) => ({ ...p, status: 'connected', reason: null, accounts: [] }));
  for (const item of restored) Object.assign(ncs.projects.find((p) => p.id === item.id)!, { status: 'connected', reason: null, accounts: [] });
  return { project: detailOf(restored[0]), restored, restoredOther: 0, account: { id: '562949953421312', login, name: 'Jordan Smith' } };
}

export function reconnectFake(ncs: FakeNcs, options: ReconnectFakeOptions): ReconnectFake {
  const fake: ReconnectFake = { handlers: [], starts: [], pushes: [] };
  const ref = (params: Record<string, unknown>) => String(params.ref);
  fake.handlers = [
    http.get(`${SERVER}/api/v1/oauth/cli`, () => HttpResponse.json({ redirectUris: options.redirectUris })),
    http.post(`${SERVER}/api/v1/projects/:ref/reconnect`, async ({ request, params }) => {
      const body = (await request.json()) as Record<string, unknown>;
      fake.starts.push({ ref: ref(params), body });
      const project = ncs.projects.find((p) => p.id === ref(params) || p.number === ref(params));
      if (!project) return apiError('project_not_found');
      const redirectUri = body.oob ? OOB : String(body.redirectUri ?? options.redirectUris[0]);
      const authorizeUrl = `${options.authorizeOrigin ?? 'https://login.procore.test'}/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'ncs', redirect_uri: redirectUri, state: STATE })}`;
      const base: ReconnectStarted = {
        attemptId: 'att_0123456789',
        authorizeUrl,
        redirectUri,
        state: STATE,
        expectedAccounts: project.ballInCourt.map((b) => b.procoreLogin),
        expiresAt: new Date(NOW.getTime() + 600_000).toISOString(),
      };
      return HttpResponse.json({ ...base, ...options.started?.(ref(params), base) }, { status: 201 });
    }),
    http.post(`${SERVER}/api/v1/projects/:ref/procore-token`, async ({ request, params }) => {
      const body = (await request.json()) as Record<string, unknown>;
      fake.pushes.push({ ref: ref(params), body });
      if (options.verdict) return options.verdict(ref(params), body);
      return HttpResponse.json(accepted(ncs, ref(params)));
    }),
  ];
  return fake;
}

export interface BrowserVisit {
  url: string;
  status?: number;
  headers?: Record<string, string>;
  page?: string;
}

/**
 * A browser on this machine that plays the person: sent to Procore's sign-in page, it "signs in" and
 * follows Procore's redirect to the loopback listener with `code` and `state` (or `error`). Requests
 * run in the background, as a browser's would: the listener holds the callback until the verdict.
 */
export function scriptedBrowser(
  behaviour: 'allow' | 'deny' | 'nothing' | ((authorizeUrl: URL) => Promise<void>) = 'allow',
): BrowserOpener & { visits: BrowserVisit[]; opened: string[]; done(): Promise<void> } {
  const visits: BrowserVisit[] = [];
  const opened: string[] = [];
  const pending: Promise<unknown>[] = [];
  return {
    visits,
    opened,
    canOpen: () => true,
    async open(url) {
      opened.push(url);
      const authorize = new URL(url);
      if (behaviour === 'nothing') return;
      if (typeof behaviour === 'function') {
        pending.push(behaviour(authorize));
        return;
      }
      const back = new URL(authorize.searchParams.get('redirect_uri')!);
      if (behaviour === 'allow') back.searchParams.set('code', CODE);
      else back.searchParams.set('error', 'access_denied');
      back.searchParams.set('state', authorize.searchParams.get('state')!);
      pending.push(visit(back.toString()).then((v) => visits.push(v)));
    },
    done: () => Promise.all(pending).then(() => undefined),
  };
}

/** One GET as a browser would send it (Host from the URL). */
export async function visit(url: string): Promise<BrowserVisit> {
  const response = await fetch(url, { redirect: 'manual' });
  return { url, status: response.status, headers: Object.fromEntries(response.headers.entries()), page: await response.text() };
}
