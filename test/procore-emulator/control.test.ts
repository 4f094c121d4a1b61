// The control endpoints: token listing and minting, accounts, validation, app registration, reset.
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_ID,
  BOB,
  COMPANY,
  HARBOR,
  LIBRARY,
  OOB,
  REDIRECT,
  TEST_APP,
  api,
  authorize,
  buildTestEmulator,
  control,
  mint,
  PASSWORD,
  redeem,
  refresh,
} from './helpers.js';

describe('token control endpoints', () => {
  it('mints a pair as a sign-in would and lists the account\'s live pairs in clear', async () => {
    const { app } = buildTestEmulator();
    const pair = await mint(app, ALICE, { redirectUri: REDIRECT });
    const listed = (await control(app, 'GET', `/__emulator/accounts/${ALICE}/tokens`)).json();
    expect(listed).toEqual([
      { accessToken: pair.access_token, refreshToken: pair.refresh_token, clientId: TEST_APP.clientId, redirectUri: REDIRECT, expiresAt: expect.any(String) },
    ]);
    // Rotation replaces the listed pair.
    const next = (await refresh(app, pair.refresh_token)).json();
    const after = (await control(app, 'GET', `/__emulator/accounts/${ALICE}/tokens`)).json();
    expect(after.map((p: { accessToken: string }) => p.accessToken)).toEqual([next.access_token]);
    await control(app, 'POST', `/__emulator/accounts/${ALICE}/revoke`);
    expect((await control(app, 'GET', `/__emulator/accounts/${ALICE}/tokens`)).json()).toEqual([]);
  });

  it('defaults the minted pair to the out-of-band redirect URI when registered', async () => {
    const { app } = buildTestEmulator();
    await mint(app);
    expect((await control(app, 'GET', `/__emulator/accounts/${ALICE}/tokens`)).json()[0].redirectUri).toBe(OOB);
  });

  it('refuses to mint for our app through an unregistered redirect URI, but mints for a foreign app', async () => {
    const { app } = buildTestEmulator();
    const refused = await control(app, 'POST', `/__emulator/accounts/${ALICE}/tokens`, { redirectUri: 'http://localhost:1/cb' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/not registered/);
    const foreign = await mint(app, ALICE, { clientId: 'foreign', redirectUri: 'https://foreign.example/cb' });
    const info = await app.inject({ method: 'GET', url: '/oauth/token/info', headers: { authorization: `Bearer ${foreign.access_token}` } });
    expect(info.json().application.uid).toBe('foreign');
  });

  it('answers 404 for an unknown login on every account endpoint', async () => {
    const { app } = buildTestEmulator();
    for (const [method, path] of [
      ['POST', 'tokens'],
      ['GET', 'tokens'],
      ['POST', 'revoke'],
      ['POST', 'expire'],
    ] as const) {
      const response = await control(app, method, `/__emulator/accounts/nobody@example.test/${path}`);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('account_not_found');
    }
  });

  it('reports stats: token requests, API requests, refresh-token reuse', async () => {
    const { app } = buildTestEmulator();
    const pair = await mint(app);
    await api(app, '/rest/v1.0/me', pair.access_token);
    await api(app, '/rest/v1.0/me', 'bad');
    await refresh(app, pair.refresh_token);
    await refresh(app, pair.refresh_token);
    expect((await control(app, 'GET', '/__emulator/stats')).json()).toEqual({ refreshTokenReuse: 1, tokenRequests: 2, apiRequests: 2 });
  });
});

describe('account control endpoints', () => {
  it('renames a login and keeps the id, access and tokens', async () => {
    const { app } = buildTestEmulator();
    const pair = await mint(app);
    const renamed = await control(app, 'PATCH', `/__emulator/accounts/${ALICE}`, { login: 'alice.new@example.test' });
    expect(renamed.json()).toEqual({ id: ALICE_ID, login: 'alice.new@example.test', name: 'Alice Able' });
    const me = await api(app, '/rest/v1.0/me', pair.access_token);
    expect(me.json()).toEqual({ id: ALICE_ID, login: 'alice.new@example.test', name: 'Alice Able' });
    expect((await api(app, `/rest/v1.0/projects/${HARBOR}/rfis`, pair.access_token)).statusCode).toBe(200);
    expect((await authorize(app, { login: 'alice.new@example.test', password: PASSWORD })).response.statusCode).toBe(302);
    expect((await control(app, 'GET', `/__emulator/accounts/${ALICE}/tokens`)).statusCode).toBe(404);
  });

  it('refuses a rename onto another account\'s login', async () => {
    const { app } = buildTestEmulator();
    const response = await control(app, 'PATCH', `/__emulator/accounts/${ALICE}`, { login: BOB.toUpperCase() });
    expect(response.statusCode).toBe(409);
  });
});

describe('control body validation', () => {
  const cases: { name: string; method: 'PUT' | 'POST' | 'PATCH'; url: string; body: unknown; message: RegExp }[] = [
    { name: 'outage without enabled', method: 'PUT', url: '/__emulator/outage', body: { mode: 'status' }, message: /enabled/ },
    { name: 'outage with an unknown mode', method: 'PUT', url: '/__emulator/outage', body: { enabled: true, mode: 'slow' }, message: /mode/ },
    { name: 'outage with a 2xx status', method: 'PUT', url: '/__emulator/outage', body: { enabled: true, status: 200 }, message: /status/ },
    { name: 'settings with a negative limit', method: 'PUT', url: '/__emulator/settings', body: { rateLimitPerWindow: -1 }, message: /rateLimitPerWindow/ },
    { name: 'settings with a typo', method: 'PUT', url: '/__emulator/settings', body: { accessTokenTTL: 5 }, message: /accessTokenTTL/ },
    { name: 'settings with an unknown header mode', method: 'PUT', url: '/__emulator/settings', body: { rateLimitHeaders: 'none' }, message: /rateLimitHeaders/ },
    { name: 'app without redirect URIs', method: 'PUT', url: '/__emulator/app', body: { clientId: 'a', clientSecret: 'b', redirectUris: [] }, message: /redirectUris/ },
    { name: 'app with a relative redirect URI', method: 'PUT', url: '/__emulator/app', body: { clientId: 'a', clientSecret: 'b', redirectUris: ['/cb'] }, message: /redirectUris\[0\]/ },
    { name: 'access without allowed', method: 'PUT', url: `/__emulator/projects/${HARBOR}/access/${ALICE}`, body: { tools: {} }, message: /allowed/ },
    { name: 'access with a non-boolean tool', method: 'PUT', url: `/__emulator/projects/${HARBOR}/access/${ALICE}`, body: { allowed: true, tools: { rfis: 'yes' } }, message: /tools\.rfis/ },
    { name: 'an RFI without subject', method: 'POST', url: `/__emulator/projects/${HARBOR}/rfis`, body: { title: 'x' }, message: /title/ },
    { name: 'a rename without login', method: 'PATCH', url: `/__emulator/accounts/${ALICE}`, body: {}, message: /login/ },
  ];
  for (const c of cases) {
    it(`answers 400 naming the problem: ${c.name}`, async () => {
      const { app } = buildTestEmulator();
      const response = await control(app, c.method, c.url, c.body);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('bad_request');
      expect(response.json().error.message).toMatch(c.message);
    });
  }

  it('answers 400 for a body that is not JSON', async () => {
    const { app } = buildTestEmulator();
    const response = await app.inject({ method: 'PUT', url: '/__emulator/outage', payload: '{', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('bad_request');
  });

  it('answers 404 for an unknown project or item', async () => {
    const { app } = buildTestEmulator();
    expect((await control(app, 'PUT', `/__emulator/projects/1/access/${ALICE}`, { allowed: true })).statusCode).toBe(404);
    expect((await control(app, 'PUT', `/__emulator/projects/${HARBOR}/access/nobody@x`, { allowed: true })).statusCode).toBe(404);
    expect((await control(app, 'POST', '/__emulator/projects/1/submittals', { title: 'x' })).statusCode).toBe(404);
    expect((await control(app, 'PATCH', `/__emulator/projects/${HARBOR}/rfis/1`, {})).statusCode).toBe(404);
  });
});

describe('PUT /__emulator/app', () => {
  it('replaces the registered app: old client and redirect URIs stop working', async () => {
    const { app } = buildTestEmulator();
    const newApp = { clientId: 'portal', clientSecret: 'portal-secret', redirectUris: ['http://127.0.0.1:8080/connectorweb/oauth/callback'] };
    expect((await control(app, 'PUT', '/__emulator/app', newApp)).statusCode).toBe(200);
    const old = await app.inject({ method: 'GET', url: `/oauth/authorize?response_type=code&client_id=${TEST_APP.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}` });
    expect(old.statusCode).toBe(400);
    const fresh = await app.inject({
      method: 'GET',
      url: `/oauth/authorize?response_type=code&client_id=portal&redirect_uri=${encodeURIComponent(newApp.redirectUris[0])}`,
    });
    expect(fresh.statusCode).toBe(200);
  });
});

describe('POST /__emulator/reset', () => {
  it('restores the seed: items, access and logins back, tokens and codes gone, settings and outage default, stats zero', async () => {
    const { app } = buildTestEmulator();
    const pair = await mint(app);
    const code = (await authorize(app, { login: ALICE, password: PASSWORD })).location?.searchParams.get('code') as string;
    await control(app, 'POST', `/__emulator/projects/${HARBOR}/rfis`, { subject: 'Added' });
    await control(app, 'PUT', `/__emulator/projects/${LIBRARY}/access/${ALICE}`, { allowed: false });
    await control(app, 'PATCH', `/__emulator/accounts/${BOB}`, { login: 'robert@example.test' });
    await control(app, 'PUT', '/__emulator/settings', { accessTokenTtlSeconds: 10, rateLimitPerWindow: 1 });
    await control(app, 'PUT', '/__emulator/outage', { enabled: true });

    expect((await control(app, 'POST', '/__emulator/reset')).statusCode).toBe(200);

    expect((await api(app, '/rest/v1.0/me', pair.access_token)).statusCode).toBe(401);
    expect((await redeem(app, code)).statusCode).toBe(400);
    expect((await control(app, 'GET', '/__emulator/stats')).json()).toEqual({ refreshTokenReuse: 0, tokenRequests: 1, apiRequests: 1 });
    const fresh = await mint(app);
    expect(fresh.expires_in).toBe(5400);
    expect((await api(app, `/rest/v1.0/projects/${HARBOR}/rfis`, fresh.access_token)).json()).toHaveLength(2);
    expect((await api(app, `/rest/v1.0/projects?company_id=${COMPANY}`, fresh.access_token)).json()).toHaveLength(2);
    expect((await api(app, '/rest/v1.0/me', fresh.access_token)).headers['x-rate-limit-limit']).toBe('1000000');
    expect((await control(app, 'GET', `/__emulator/accounts/${BOB}/tokens`)).statusCode).toBe(200);
  });
});
