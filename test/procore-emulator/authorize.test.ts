// The sign-in and consent pages: fields, redirects, the sign-in cookie, deny and out-of-band.
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  OOB,
  PASSWORD,
  REDIRECT,
  TEST_APP,
  authorize,
  buildTestEmulator,
  redeem,
} from './helpers.js';

function authorizeUrl(params: Record<string, string>): string {
  return `/oauth/authorize?${new URLSearchParams(params).toString()}`;
}

const GOOD = { response_type: 'code', client_id: TEST_APP.clientId, redirect_uri: REDIRECT, state: 'xyz' };

function cookieFrom(setCookie: string | string[] | undefined): string {
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  expect(first).toBeDefined();
  return (first as string).split(';')[0];
}

describe('GET /oauth/authorize', () => {
  it('shows a sign-in form with the exact fields SPEC 5 names', async () => {
    const { app } = buildTestEmulator();
    const response = await app.inject({ method: 'GET', url: authorizeUrl(GOOD) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const html = response.body;
    expect(html).toMatch(/<form method="post" action="\/oauth\/authorize">/);
    for (const [name, value] of Object.entries({ client_id: TEST_APP.clientId, redirect_uri: REDIRECT, state: 'xyz', response_type: 'code' })) {
      expect(html).toContain(`<input type="hidden" name="${name}" value="${value}">`);
    }
    expect(html).toMatch(/<input id="login" name="login"/);
    expect(html).toMatch(/<input id="password" name="password" type="password"/);
    expect(html).toContain('name="decision" value="allow"');
    expect(html).toContain('name="decision" value="deny"');
    expect(html).not.toContain('Signed in as');
  });

  it('never redirects to an unregistered redirect URI: 400 page', async () => {
    const { app } = buildTestEmulator();
    for (const redirect of [`${REDIRECT}/`, 'http://localhost:5599/callbackx', 'https://evil.example/callback']) {
      const response = await app.inject({ method: 'GET', url: authorizeUrl({ ...GOOD, redirect_uri: redirect }) });
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toContain('not registered');
    }
  });

  it('never redirects for an unknown client, even to a registered URI', async () => {
    const { app } = buildTestEmulator();
    const response = await app.inject({ method: 'GET', url: authorizeUrl({ ...GOOD, client_id: 'someone-else' }) });
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('refuses an unregistered redirect URI on the POST as well', async () => {
    const { app } = buildTestEmulator();
    const { response, location } = await authorize(app, { login: ALICE, password: PASSWORD, redirectUri: 'http://localhost:9999/callback' });
    expect(response.statusCode).toBe(400);
    expect(location).toBeUndefined();
  });

  it('redirects an unsupported response_type back with the error, since the redirect URI is registered', async () => {
    const { app } = buildTestEmulator();
    const response = await app.inject({ method: 'GET', url: authorizeUrl({ ...GOOD, response_type: 'token' }) });
    expect(response.statusCode).toBe(302);
    const location = new URL(response.headers.location as string);
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('state')).toBe('xyz');
  });

  it('escapes everything it echoes into the page', async () => {
    const { app } = buildTestEmulator();
    const evil = '"><script>alert(1)</script>';
    const response = await app.inject({ method: 'GET', url: authorizeUrl({ ...GOOD, state: evil }) });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>');
    expect(response.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });
});

describe('POST /oauth/authorize', () => {
  it('redirects to the exact redirect URI with a code and the state', async () => {
    const { app } = buildTestEmulator();
    const { response, location } = await authorize(app, { login: ALICE, password: PASSWORD, state: 'a b&c' });
    expect(response.statusCode).toBe(302);
    expect(`${location?.origin}${location?.pathname}`).toBe(REDIRECT);
    expect(location?.searchParams.get('code')).toMatch(/^[0-9a-f]{64}$/);
    expect(location?.searchParams.get('state')).toBe('a b&c');
    expect(response.headers.location).toMatch(/^http:\/\/localhost:5599\/callback\?code=/);
  });

  it('omits state from the redirect when the request had none', async () => {
    const { app } = buildTestEmulator();
    const { location } = await authorize(app, { login: ALICE, password: PASSWORD });
    expect(location?.searchParams.has('code')).toBe(true);
    expect(location?.searchParams.has('state')).toBe(false);
  });

  it('accepts the login case-insensitively, as e-mail addresses are', async () => {
    const { app } = buildTestEmulator();
    const { response } = await authorize(app, { login: ALICE.toUpperCase(), password: PASSWORD });
    expect(response.statusCode).toBe(302);
  });

  it('re-shows the form with an error on a wrong password, and issues nothing', async () => {
    const { app } = buildTestEmulator();
    for (const login of [ALICE, 'nobody@example.test']) {
      const { response } = await authorize(app, { login, password: 'wrong', state: 'xyz' });
      expect(response.statusCode).toBe(200);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.body).toMatch(/role="alert"[^>]*>Invalid login or password\./);
      expect(response.body).toContain('name="password"');
    }
  });

  it('denies with error=access_denied and the state', async () => {
    const { app } = buildTestEmulator();
    const { response, location } = await authorize(app, { decision: 'deny', state: 'xyz' });
    expect(response.statusCode).toBe(302);
    expect(location?.searchParams.get('error')).toBe('access_denied');
    expect(location?.searchParams.get('state')).toBe('xyz');
    expect(location?.searchParams.has('code')).toBe(false);
  });

  it('shows the code in <code id="authorization-code"> for the out-of-band redirect URI', async () => {
    const { app } = buildTestEmulator();
    const { response } = await authorize(app, { login: ALICE, password: PASSWORD, redirectUri: OOB });
    expect(response.statusCode).toBe(200);
    expect(response.headers.location).toBeUndefined();
    const code = /<code id="authorization-code">([0-9a-f]{64})<\/code>/.exec(response.body)?.[1];
    expect(code).toBeDefined();
    const token = await redeem(app, code as string, OOB);
    expect(token.statusCode).toBe(200);
  });
});

describe('sign-in cookie', () => {
  it('keeps the user signed in: "Signed in as", no login inputs, and allow works without a password', async () => {
    const { app } = buildTestEmulator();
    const first = await authorize(app, { login: ALICE, password: PASSWORD });
    const cookie = cookieFrom(first.response.headers['set-cookie']);
    expect(first.response.headers['set-cookie']).toMatch(/HttpOnly/);

    const page = await app.inject({ method: 'GET', url: authorizeUrl(GOOD), headers: { cookie } });
    expect(page.body).toContain(`Signed in as <strong id="signed-in-login">${ALICE}</strong>`);
    expect(page.body).not.toContain('name="login"');
    expect(page.body).not.toContain('name="password"');
    expect(page.body).toContain('Not you? Sign out');

    const second = await authorize(app, { cookie, state: 'again' });
    expect(second.response.statusCode).toBe(302);
    const token = await redeem(app, second.location?.searchParams.get('code') as string);
    const me = await app.inject({ method: 'GET', url: '/rest/v1.0/me', headers: { authorization: `Bearer ${token.json().access_token}` } });
    expect(me.json().login).toBe(ALICE);
  });

  it('signs out through the "Not you?" link and returns to the login form', async () => {
    const { app } = buildTestEmulator();
    const first = await authorize(app, { login: ALICE, password: PASSWORD });
    const cookie = cookieFrom(first.response.headers['set-cookie']);
    const page = await app.inject({ method: 'GET', url: authorizeUrl(GOOD), headers: { cookie } });
    const href = /<a href="([^"]+)">Not you\? Sign out<\/a>/.exec(page.body)?.[1].replaceAll('&amp;', '&');
    expect(href).toBeDefined();

    const signOut = await app.inject({ method: 'GET', url: href as string, headers: { cookie } });
    expect(signOut.statusCode).toBe(302);
    expect(signOut.headers['set-cookie']).toMatch(/Max-Age=0/);
    expect(signOut.headers.location).toBe(authorizeUrl({ response_type: 'code', client_id: TEST_APP.clientId, redirect_uri: REDIRECT, state: 'xyz' }));

    // The old cookie no longer signs anyone in, even if the browser kept it.
    const after = await app.inject({ method: 'GET', url: signOut.headers.location as string, headers: { cookie } });
    expect(after.body).not.toContain('Signed in as');
    expect(after.body).toContain('name="login"');
    const allow = await authorize(app, { cookie });
    expect(allow.response.statusCode).toBe(200);
    expect(allow.response.body).toContain('Sign in to continue.');
  });

  it('lets another account sign in over an existing cookie, and the code is that account\'s', async () => {
    const { app } = buildTestEmulator();
    const first = await authorize(app, { login: ALICE, password: PASSWORD });
    const cookie = cookieFrom(first.response.headers['set-cookie']);
    const second = await authorize(app, { cookie, login: BOB, password: PASSWORD });
    const token = await redeem(app, second.location?.searchParams.get('code') as string);
    const me = await app.inject({ method: 'GET', url: '/rest/v1.0/me', headers: { authorization: `Bearer ${token.json().access_token}` } });
    expect(me.json().login).toBe(BOB);
  });

  it('does not turn sign-out into an open redirect', async () => {
    const { app } = buildTestEmulator();
    for (const target of ['https://evil.example/', '//evil.example/oauth/authorize', '/elsewhere']) {
      const response = await app.inject({ method: 'GET', url: `/oauth/sign_out?return_to=${encodeURIComponent(target)}` });
      expect(response.statusCode).toBe(200);
      expect(response.headers.location).toBeUndefined();
    }
  });
});
