// A portal test world: the emulator (demo seed, the portal callback registered), a seeded test backend, and cookie-jar clients.
import type { LightMyRequestResponse } from 'fastify';
import type { RunningEmulator } from '../../../src/procore-emulator/index.js';
import { startDemoWorld } from '../../support/demo-world.js';
import type { TestServer } from '../../support/server-deps.js';

export const PUBLIC_URL = 'http://127.0.0.1:8080';
export const HOST = '127.0.0.1:8080';
export const CALLBACK = `${PUBLIC_URL}/connectorweb/oauth/callback`;

export interface PortalWorld {
  server: TestServer;
  emulator: RunningEmulator;
  client(): PortalClient;
  statuses(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface SetCookie {
  name: string;
  value: string;
  attributes: string[];
}

export function setCookiesOf(response: LightMyRequestResponse): SetCookie[] {
  const header = response.headers['set-cookie'];
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return lines.map((line) => {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair!.indexOf('=');
    return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
  });
}

/** A browser-like client: keeps the portal's cookies and sends the public Host. */
export class PortalClient {
  readonly cookies = new Map<string, string>();
  constructor(private readonly server: TestServer) {}

  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.server.app.inject({
      method,
      url,
      headers: {
        host: HOST,
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    for (const set of setCookiesOf(response)) {
      if (set.attributes.includes('Max-Age=0')) this.cookies.delete(set.name);
      else this.cookies.set(set.name, set.value);
    }
    return response;
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.request('GET', url);
  }

  /** The CSRF token of the first form on the page. */
  static csrfOf(html: string): string {
    const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error('no CSRF token on the page');
    return token;
  }

  async signIn(username: string, password = 'demo'): Promise<LightMyRequestResponse> {
    const page = await this.get('/connectorweb/Projects');
    return this.request('POST', '/connectorweb/sign-in', { username, password, csrf: PortalClient.csrfOf(page.body) });
  }

  async csrf(url = '/connectorweb/Projects'): Promise<string> {
    return PortalClient.csrfOf((await this.get(url)).body);
  }

  /** Clicks Reconnect on the project's Edit page; returns Procore's authorize URL. */
  async reconnect(projectId: string): Promise<string> {
    const edit = await this.get(`/connectorweb/Projects/${projectId}/Edit`);
    const answer = await this.request('POST', `/connectorweb/Projects/${projectId}/Reconnect`, { csrf: PortalClient.csrfOf(edit.body) });
    if (answer.statusCode !== 303) throw new Error(`Reconnect answered ${answer.statusCode}: ${answer.body}`);
    return String(answer.headers.location);
  }
}

/** Plays the person at Procore's sign-in page; returns the callback path and query Procore redirects to. */
export async function procoreSignIn(authorizeUrl: string, login: string, password = 'demo'): Promise<string> {
  const query = new URL(authorizeUrl).searchParams;
  const form = new URLSearchParams({
    client_id: query.get('client_id') ?? '',
    redirect_uri: query.get('redirect_uri') ?? '',
    response_type: query.get('response_type') ?? '',
    state: query.get('state') ?? '',
    login,
    password,
    decision: 'allow',
  });
  const answer = await fetch(new URL('/oauth/authorize', authorizeUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) throw new Error(`Procore sign-in answered ${answer.status}: ${await answer.text()}`);
  const target = new URL(location);
  if (target.origin + target.pathname !== CALLBACK) throw new Error(`Procore redirected to ${location}`);
  return target.pathname + target.search;
}

export async function startPortalWorld(): Promise<PortalWorld> {
  const { server, emulator } = await startDemoWorld('sqlite', { env: { NCS_PUBLIC_URL: PUBLIC_URL }, extraRedirectUris: [CALLBACK] });
  return {
    server,
    emulator,
    client: () => new PortalClient(server),
    async statuses() {
      const rows = await server.deps.db.selectFrom('projects').select(['number', 'status']).execute();
      return Object.fromEntries(rows.map((row) => [row.number, row.status]));
    },
    async close() {
      await server.close();
      await emulator.close();
    },
  };
}

export async function projectIdOf(world: PortalWorld, number: string): Promise<string> {
  const row = await world.server.deps.db.selectFrom('projects').select('id').where('number', '=', number).executeTakeFirstOrThrow();
  return row.id;
}
