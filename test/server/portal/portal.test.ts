// The portal's rules (SPEC 7), proven through app.inject against a seeded backend and the Procore emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../support/server-deps.js';
import { CALLBACK, PortalClient, procoreSignIn, projectIdOf, PUBLIC_URL, setCookiesOf, startPortalWorld, type PortalWorld } from './portal-world.js';

let world: PortalWorld;

beforeAll(async () => {
  world = await startPortalWorld();
});

afterAll(async () => {
  await world?.close();
});

const sessionCookie = (client: PortalClient) => client.cookies.get('ncs_portal_session');

async function attemptCount(): Promise<number> {
  const rows = await world.server.deps.db.selectFrom('reconnect_attempts').select('id').execute();
  return rows.length;
}

async function credentialCount(): Promise<number> {
  const rows = await world.server.deps.db.selectFrom('credentials').select('id').execute();
  return rows.length;
}

describe('sign-in', () => {
  it('asks for the username without the domain, with labelled inputs, when not signed in', async () => {
    const response = await world.client().get('/connectorweb/Projects');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toMatch(/<label for="username">Username<\/label>\s*<input id="username"/);
    expect(response.body).toMatch(/<label for="password">Password<\/label>\s*<input id="password"[^>]*type="password"/);
    expect(response.body).toContain('without the domain');
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/connectorweb and not Secure over http', async () => {
    const client = world.client();
    const answer = await client.signIn('jsmith');
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/connectorweb/Projects');
    const cookie = setCookiesOf(answer).find((set) => set.name === 'ncs_portal_session')!;
    expect(cookie.value).toMatch(/^ncs_s_/);
    expect(cookie.attributes).toEqual(expect.arrayContaining(['Path=/connectorweb', 'HttpOnly', 'SameSite=Lax']));
    expect(cookie.attributes).not.toContain('Secure');
  });

  it.each([
    ['DEMO\\jsmith', 'use jsmith, not DEMO\\jsmith'],
    ['jsmith@demo', 'use jsmith, not jsmith@demo'],
  ])('explains a username typed with its domain (%s) in an alert', async (typed, explanation) => {
    const client = world.client();
    const answer = await client.signIn(typed);
    expect(answer.statusCode).toBe(400);
    const alert = /<div class="alert" role="alert">([\s\S]*?)<\/div>/.exec(answer.body)?.[1] ?? '';
    expect(alert.replace(/&#92;/g, '\\')).toContain(explanation);
    expect(answer.body).toContain('value="jsmith"');
    expect(sessionCookie(client)).toBeUndefined();
  });

  it('refuses a sign-in without the form\'s CSRF token', async () => {
    const client = world.client();
    await client.get('/connectorweb/Projects');
    const missing = await client.request('POST', '/connectorweb/sign-in', { username: 'jsmith', password: 'demo' });
    expect(missing.statusCode).toBe(403);
    const forged = await client.request('POST', '/connectorweb/sign-in', { username: 'jsmith', password: 'demo', csrf: 'x'.repeat(43) });
    expect(forged.statusCode).toBe(403);
    expect(sessionCookie(client)).toBeUndefined();
  });

  it('gives a new session id at sign-in and ends the one the browser held before', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const first = sessionCookie(client)!;
    // A sign-in form from another tab, posted while the browser still holds the first session.
    const tab = world.client();
    const form = await tab.get('/connectorweb/Projects');
    client.cookies.set('ncs_portal_csrf', tab.cookies.get('ncs_portal_csrf')!);
    const answer = await client.request('POST', '/connectorweb/sign-in', { username: 'jsmith', password: 'demo', csrf: PortalClient.csrfOf(form.body) });
    expect(answer.statusCode).toBe(303);
    const second = sessionCookie(client)!;
    expect(second).toMatch(/^ncs_s_/);
    expect(second).not.toBe(first);
    const old = await world.server.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${first}` } });
    expect(old.statusCode).toBe(401);
  });

  it('rate-limits wrong passwords with an explained alert and Retry-After', async () => {
    const client = world.client();
    for (let i = 0; i < 5; i++) expect((await client.signIn('rkim', 'wrong')).statusCode).toBe(401);
    const throttled = await client.signIn('rkim', 'demo');
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled.body).toMatch(/role="alert"[\s\S]*Too many failed sign-ins[\s\S]*Try again in \d+ minutes/);
    expect(sessionCookie(client)).toBeUndefined();
  });

  it('signs out with a POST carrying the CSRF token, which ends the session', async () => {
    const client = world.client();
    await client.signIn('mlee');
    const token = sessionCookie(client)!;
    const refused = await client.request('POST', '/connectorweb/sign-out', {});
    expect(refused.statusCode).toBe(403);
    expect((await world.server.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const out = await client.request('POST', '/connectorweb/sign-out', { csrf: await client.csrf() });
    expect(out.statusCode).toBe(303);
    expect(sessionCookie(client)).toBeUndefined();
    expect((await world.server.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    // Replaying the old cookie shows the sign-in form again.
    client.cookies.set('ncs_portal_session', token);
    expect((await client.get('/connectorweb/Projects')).body).toContain('id="sign-in-title"');
  });
});

describe('headers', () => {
  it('sends a CSP whose form-action allows self and the Procore login origin, without upgrade-insecure-requests over http', async () => {
    const response = await world.client().get('/connectorweb/Projects');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain(`form-action 'self' ${new URL(world.server.deps.config.procore.loginUrl).origin}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('over https marks the cookie Secure and upgrades insecure requests', async () => {
    const server = await createTestServer('sqlite', { env: { NCS_PUBLIC_URL: 'https://ncs.example.test' } });
    try {
      const page = await server.app.inject({ method: 'GET', url: '/connectorweb/Projects', headers: { host: 'ncs.example.test' } });
      expect(String(page.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
      expect(page.headers['strict-transport-security']).toBeDefined();
      expect(setCookiesOf(page).find((set) => set.name === 'ncs_portal_csrf')!.attributes).toContain('Secure');
    } finally {
      await server.close();
    }
  });

  it('redirects a request on another host to NCS_PUBLIC_URL', async () => {
    const response = await world.server.app.inject({ method: 'GET', url: '/connectorweb/Projects?x=1', headers: { host: 'evil.example.test' } });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`${PUBLIC_URL}/connectorweb/Projects?x=1`);
    const post = await world.server.app.inject({ method: 'POST', url: '/connectorweb/sign-in', headers: { host: 'localhost:8080' }, payload: {} });
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toBe(`${PUBLIC_URL}/connectorweb/Projects`);
  });
});

describe('Connected Projects', () => {
  it('shows jsmith his two lost projects with a keyboard-reachable tooltip naming the account', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const page = (await client.get('/connectorweb/Projects')).body;
    for (const header of ['Project', 'Procore Project', 'Ball-in-Court', 'Connection Status', 'Last Sync', 'Edit']) {
      expect(page).toContain(`<th scope="col">${header}</th>`);
    }
    expect(page).toContain('P-1002 Civic Library');
    expect(page).toContain('P-1003 Riverside Clinic');
    expect(page).not.toContain('P-1001');
    const icon = /<span class="status-icon" tabindex="0"[^>]*aria-describedby="([^"]+)"/.exec(page);
    expect(icon).not.toBeNull();
    const tooltip = new RegExp(`<span role="tooltip" id="${icon![1]}">([^]*?)</span>`).exec(page)?.[1] ?? '';
    expect(tooltip).toContain('jsmith@demo.example must reauthenticate');
    expect(page).toContain('Connection Lost');
    expect(page).toMatch(/href="\/connectorweb\/Projects\/prj_[a-z2-7]+\/Edit"[^>]*>.*✏️/);
  });

  it.each([
    ['padmin', ['P-1001', 'P-1002'], ['P-1003', 'P-1004', 'P-1005']],
    ['gadmin', ['P-1001', 'P-1002', 'P-1003', 'P-1004', 'P-1005'], []],
    ['dchan', ['P-1005'], ['P-1001', 'P-1002', 'P-1003', 'P-1004']],
  ])('shows %s only the projects the API shows', async (user, seen, unseen) => {
    const client = world.client();
    await client.signIn(user);
    const page = (await client.get('/connectorweb/Projects')).body;
    for (const number of seen) expect(page).toContain(`${number} `);
    for (const number of unseen) expect(page).not.toContain(`${number} `);
  });

  it('shows a user with no role an empty table and a sentence saying why', async () => {
    const client = world.client();
    await client.signIn('viewer');
    const page = (await client.get('/connectorweb/Projects')).body;
    expect(page).toContain('<tbody></tbody>');
    expect(page).toMatch(/<p id="no-projects">You see no projects because you are not a Global Admin, a Project Admin or a ball-in-court user/);
  });

  it('answers a 404 page for a project the viewer may not see, by id or by number', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const id = await projectIdOf(world, 'P-1001');
    for (const ref of [id, 'P-1001', 'nonsense']) {
      const page = await client.get(`/connectorweb/Projects/${ref}/Edit`);
      expect(page.statusCode).toBe(404);
      expect(page.body).toContain('Project not found.');
      expect(page.body).not.toContain('Harbor Tower');
    }
    const reconnect = await client.request('POST', `/connectorweb/Projects/${id}/Reconnect`, { csrf: await client.csrf() });
    expect(reconnect.statusCode).toBe(404);
  });

  it('shows the full description, the remedy steps and a Reconnect form on the Edit page', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const page = (await client.get(`/connectorweb/Projects/${await projectIdOf(world, 'P-1002')}/Edit`)).body;
    expect(page).toContain('What is wrong');
    expect(page).toMatch(/How to fix it<\/h3>\s*<ol><li>/);
    expect(page).toMatch(/<form method="post" action="\/connectorweb\/Projects\/prj_[a-z2-7]+\/Reconnect">\s*<input type="hidden" name="csrf"/);
  });
});

describe('reconnect', () => {
  it('refuses a Reconnect without the CSRF token and starts no attempt', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const before = await attemptCount();
    const id = await projectIdOf(world, 'P-1002');
    expect((await client.request('POST', `/connectorweb/Projects/${id}/Reconnect`, {})).statusCode).toBe(403);
    expect((await client.request('POST', `/connectorweb/Projects/${id}/Reconnect`, { csrf: 'forged' })).statusCode).toBe(403);
    expect(await attemptCount()).toBe(before);
  });

  it('answers 303 to Procore\'s sign-in with the portal callback as redirect URI', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const authorizeUrl = new URL(await client.reconnect(await projectIdOf(world, 'P-1002')));
    expect(authorizeUrl.origin).toBe(new URL(world.server.deps.config.procore.loginUrl).origin);
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(authorizeUrl.searchParams.get('state')).toBeTruthy();
  });

  it('shows a bad state as an error page and changes nothing', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const before = await world.statuses();
    const answer = await client.get('/connectorweb/oauth/callback?code=abc&state=not-a-state');
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('role="alert"');
    expect(answer.body).toContain('Nothing was changed');
    expect(await world.statuses()).toEqual(before);
  });

  it('changes nothing for a callback that arrives in another session, even of the same user', async () => {
    const starter = world.client();
    await starter.signIn('jsmith');
    const callback = await procoreSignIn(await starter.reconnect(await projectIdOf(world, 'P-1002')), 'jsmith@demo.example');
    const other = world.client();
    await other.signIn('jsmith');
    const before = await world.statuses();
    const credentials = await credentialCount();
    const answer = await other.get(callback);
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('did not come back to the session that started it');
    expect(await world.statuses()).toEqual(before);
    expect(await credentialCount()).toBe(credentials);
    // The callback without any session changes nothing either.
    const anonymous = world.client();
    expect((await anonymous.get(callback)).statusCode).toBe(400);
    expect(await world.statuses()).toEqual(before);
  });

  it('signed in to Procore as the intruder: says who signed in and who was expected, and nothing changes', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const before = await world.statuses();
    const credentials = await credentialCount();
    const callback = await procoreSignIn(await client.reconnect(await projectIdOf(world, 'P-1002')), 'intruder@demo.example');
    const answer = await client.get(callback);
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/connectorweb/Projects');
    const page = (await client.get('/connectorweb/Projects')).body;
    expect(page).toMatch(/role="alert"[\s\S]*You signed in to Procore as intruder@demo\.example, but the expected account is jsmith@demo\.example/);
    expect(await world.statuses()).toEqual(before);
    expect(await credentialCount()).toBe(credentials);
    // The message is shown once.
    expect((await client.get('/connectorweb/Projects')).body).not.toContain('intruder@demo.example');
  });

  it('ignores any parameter that would choose where to go after the callback', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const callback = await procoreSignIn(await client.reconnect(await projectIdOf(world, 'P-1002')), 'intruder@demo.example');
    const answer = await client.get(`${callback}&next=https://evil.example.test/&return_to=//evil.example.test&redirect_uri=https://evil.example.test/`);
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/connectorweb/Projects');
  });

  it('a used-up callback cannot be replayed', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const callback = await procoreSignIn(await client.reconnect(await projectIdOf(world, 'P-1002')), 'intruder@demo.example');
    expect((await client.get(callback)).statusCode).toBe(303);
    expect((await client.get(callback)).statusCode).toBe(400);
  });

  it('signed in to Procore as jsmith: P-1002 and P-1003 become Connected, told once', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const callback = await procoreSignIn(await client.reconnect(await projectIdOf(world, 'P-1002')), 'jsmith@demo.example');
    const answer = await client.get(callback);
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/connectorweb/Projects');
    const page = (await client.get('/connectorweb/Projects')).body;
    expect(page).toMatch(/role="status"[\s\S]*P-1002 is reconnected as jsmith@demo\.example[\s\S]*Restored: P-1002 Civic Library, P-1003 Riverside Clinic/);
    const statuses = await world.statuses();
    expect(statuses['P-1002']).toBe('connected');
    expect(statuses['P-1003']).toBe('connected');
    expect((await client.get('/connectorweb/Projects')).body).not.toContain('is reconnected as');
  });

  it('logs neither the authorization code, the state nor the portal session token', async () => {
    const client = world.client();
    await client.signIn('jsmith');
    const callback = await procoreSignIn(await client.reconnect(await projectIdOf(world, 'P-1002')), 'intruder@demo.example');
    await client.get(callback);
    const query = new URL(callback, PUBLIC_URL).searchParams;
    const logs = world.server.logs.text();
    expect(logs).toContain('/connectorweb/oauth/callback');
    for (const secret of [query.get('code')!, query.get('state')!, sessionCookie(client)!]) expect(logs).not.toContain(secret);
  });
});
