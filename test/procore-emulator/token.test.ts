// The token, revoke and token-info endpoints: grants, rotation, reuse, revocation, expiry.
import { describe, expect, it } from 'vitest';
import { INVALID_GRANT_DESCRIPTION } from '../../src/procore-emulator/index.js';
import {
  ALICE,
  ALICE_ID,
  OTHER_REDIRECT,
  REDIRECT,
  TEST_APP,
  buildTestEmulator,
  codeFor,
  control,
  mint,
  redeem,
  refresh,
  tokenCall,
} from './helpers.js';

const RFC_SENTENCE =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';

const me = (token: string) => ({ method: 'GET' as const, url: '/rest/v1.0/me', headers: { authorization: `Bearer ${token}` } });

describe('token response shape', () => {
  it('answers Procore\'s token response: JWT-shaped access token, 64-hex refresh token, bearer, expires_in, created_at', async () => {
    const { app, clock } = buildTestEmulator();
    const response = await redeem(app, await codeFor(app));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'created_at', 'expires_in', 'refresh_token', 'token_type']);
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(body.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe(5400);
    expect(body.created_at).toBe(Math.floor(clock.now() / 1000));
    expect(RFC_SENTENCE).toBe(INVALID_GRANT_DESCRIPTION);
  });
});

describe('authorization_code grant', () => {
  it('accepts a form-urlencoded request', async () => {
    const { app } = buildTestEmulator();
    expect((await redeem(app, await codeFor(app))).statusCode).toBe(200);
  });

  it('accepts a JSON request, as Procore\'s SDKs send', async () => {
    const { app } = buildTestEmulator();
    const code = await codeFor(app);
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: TEST_APP.clientId, client_secret: TEST_APP.clientSecret },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().refresh_token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a multipart request, as the curl -F examples in Procore\'s docs send', async () => {
    const { app } = buildTestEmulator();
    const code = await codeFor(app);
    const data = new FormData();
    for (const [k, v] of Object.entries({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: TEST_APP.clientId, client_secret: TEST_APP.clientSecret })) {
      data.append(k, v);
    }
    const request = new Request('http://x/', { method: 'POST', body: data });
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: Buffer.from(await request.arrayBuffer()),
      headers: { 'content-type': request.headers.get('content-type') as string },
    });
    expect(response.statusCode).toBe(200);
  });

  it('accepts client credentials in HTTP Basic', async () => {
    const { app } = buildTestEmulator();
    const code = await codeFor(app);
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${TEST_APP.clientId}:${TEST_APP.clientSecret}`).toString('base64')}`,
      },
    });
    expect(response.statusCode).toBe(200);
  });

  it('uses a code once only; a replay also withdraws the pair the code bought (RFC 6749 4.1.2)', async () => {
    const { app } = buildTestEmulator();
    const code = await codeFor(app);
    const first = await redeem(app, code);
    expect(first.statusCode).toBe(200);
    const replay = await redeem(app, code);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toEqual({ error: 'invalid_grant', error_description: RFC_SENTENCE });
    expect((await app.inject(me(first.json().access_token))).statusCode).toBe(401);
  });

  it('binds the code to its redirect URI', async () => {
    const { app } = buildTestEmulator();
    const code = await codeFor(app, ALICE, REDIRECT);
    const wrong = await redeem(app, code, OTHER_REDIRECT);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toBe('invalid_grant');
    expect((await redeem(app, code, REDIRECT)).statusCode).toBe(200);
  });

  it('expires a code after 10 minutes', async () => {
    const { app, clock } = buildTestEmulator();
    const fresh = await codeFor(app);
    const stale = await codeFor(app);
    clock.advance(10 * 60 * 1000);
    expect((await redeem(app, fresh)).statusCode).toBe(200);
    clock.advance(1);
    const late = await redeem(app, stale);
    expect(late.statusCode).toBe(400);
    expect(late.json().error).toBe('invalid_grant');
  });

  it('requires the client secret: 401 invalid_client without it or with a wrong one', async () => {
    const { app } = buildTestEmulator();
    const code = await codeFor(app);
    for (const fields of [{ client_secret: 'wrong' }, { client_id: 'other-client' }] as Record<string, string>[]) {
      const response = await tokenCall(app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...fields });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_client');
    }
    const missing = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: TEST_APP.clientId },
    });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error).toBe('invalid_client');
    // The refusals did not use the code up.
    expect((await redeem(app, code)).statusCode).toBe(200);
  });

  it('answers invalid_request for missing parameters and unsupported_grant_type for unknown grants', async () => {
    const { app } = buildTestEmulator();
    const noCode = await tokenCall(app, { grant_type: 'authorization_code', redirect_uri: REDIRECT });
    expect(noCode.statusCode).toBe(400);
    expect(noCode.json().error).toBe('invalid_request');
    const noGrant = await tokenCall(app, {});
    expect(noGrant.statusCode).toBe(400);
    expect(noGrant.json().error).toBe('invalid_request');
    const password = await tokenCall(app, { grant_type: 'password' });
    expect(password.statusCode).toBe(400);
    expect(password.json().error).toBe('unsupported_grant_type');
    const broken = await app.inject({ method: 'POST', url: '/oauth/token', payload: '{"grant_type":', headers: { 'content-type': 'application/json' } });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toBe('invalid_request');
  });
});

describe('refresh_token grant', () => {
  it('rotates: a new pair, and the old access and refresh tokens stop working', async () => {
    const { app } = buildTestEmulator();
    const first = await mint(app);
    const response = await refresh(app, first.refresh_token);
    expect(response.statusCode).toBe(200);
    const second = response.json();
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await app.inject(me(second.access_token))).statusCode).toBe(200);
    expect((await app.inject(me(first.access_token))).statusCode).toBe(401);
  });

  it('rejects a reused refresh token, counts it, and revokes the live pair of that chain', async () => {
    const { app, state } = buildTestEmulator();
    const other = await mint(app); // another sign-in of the same account: a separate chain
    const first = await mint(app);
    const second = (await refresh(app, first.refresh_token)).json();

    const reuse = await refresh(app, first.refresh_token);
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json()).toEqual({ error: 'invalid_grant', error_description: RFC_SENTENCE });
    expect(state.stats.refreshTokenReuse).toBe(1);
    expect((await control(app, 'GET', '/__emulator/stats')).json().refreshTokenReuse).toBe(1);

    expect((await app.inject(me(second.access_token))).statusCode).toBe(401);
    const afterRevoke = await refresh(app, second.refresh_token);
    expect(afterRevoke.json().error).toBe('invalid_grant');
    // Revoked, not reused: the count stays.
    expect(state.stats.refreshTokenReuse).toBe(1);
    expect((await app.inject(me(other.access_token))).statusCode).toBe(200);
  });

  it('answers invalid_grant with the RFC sentence after the account\'s tokens were revoked', async () => {
    const { app } = buildTestEmulator();
    const pair = await mint(app);
    expect((await control(app, 'POST', `/__emulator/accounts/${ALICE}/revoke`)).json()).toEqual({ revoked: 1 });
    expect((await app.inject(me(pair.access_token))).statusCode).toBe(401);
    const response = await refresh(app, pair.refresh_token);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_grant', error_description: RFC_SENTENCE });
  });

  it('answers "The refresh token has expired." after the account\'s tokens were expired', async () => {
    const { app, state } = buildTestEmulator();
    const pair = await mint(app);
    expect((await control(app, 'POST', `/__emulator/accounts/${ALICE}/expire`)).json()).toEqual({ expired: 1 });
    expect((await app.inject(me(pair.access_token))).statusCode).toBe(401);
    const response = await refresh(app, pair.refresh_token);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token has expired.' });
    expect(state.stats.refreshTokenReuse).toBe(0);
  });

  it('still refreshes after the access token ran out in time', async () => {
    const { app, clock } = buildTestEmulator();
    const pair = await mint(app);
    clock.advance(5400 * 1000);
    expect((await app.inject(me(pair.access_token))).statusCode).toBe(401);
    expect((await refresh(app, pair.refresh_token)).statusCode).toBe(200);
  });

  it('refuses a redirect_uri that is not registered, without spending the token', async () => {
    const { app } = buildTestEmulator();
    const pair = await mint(app);
    const refused = await refresh(app, pair.refresh_token, { redirect_uri: 'http://localhost:1/cb' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_grant');
    expect((await refresh(app, pair.refresh_token, { redirect_uri: REDIRECT })).statusCode).toBe(200);
  });

  it('refuses a refresh token issued to another app', async () => {
    const { app } = buildTestEmulator();
    const foreign = await mint(app, ALICE, { clientId: 'foreign-app' });
    const response = await refresh(app, foreign.refresh_token);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_grant', error_description: RFC_SENTENCE });
  });

  it('issues tokens with the lifetime set in settings, from then on', async () => {
    const { app } = buildTestEmulator();
    const before = await mint(app);
    await control(app, 'PUT', '/__emulator/settings', { accessTokenTtlSeconds: 60 });
    const after = (await refresh(app, before.refresh_token)).json();
    expect(before.expires_in).toBe(5400);
    expect(after.expires_in).toBe(60);
  });
});

describe('POST /oauth/revoke', () => {
  for (const which of ['access_token', 'refresh_token'] as const) {
    it(`revokes the whole pair given its ${which}`, async () => {
      const { app } = buildTestEmulator();
      const pair = await mint(app);
      const response = await app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        payload: new URLSearchParams({ token: pair[which], client_id: TEST_APP.clientId, client_secret: TEST_APP.clientSecret }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.statusCode).toBe(200);
      expect((await app.inject(me(pair.access_token))).statusCode).toBe(401);
      expect((await refresh(app, pair.refresh_token)).json().error).toBe('invalid_grant');
    });
  }

  it('answers 200 for an unknown token', async () => {
    const { app } = buildTestEmulator();
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      payload: { token: 'no-such-token', client_id: TEST_APP.clientId, client_secret: TEST_APP.clientSecret },
    });
    expect(response.statusCode).toBe(200);
  });

  it('leaves another app\'s token alone', async () => {
    const { app } = buildTestEmulator();
    const foreign = await mint(app, ALICE, { clientId: 'foreign-app' });
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      payload: { token: foreign.access_token, client_id: TEST_APP.clientId, client_secret: TEST_APP.clientSecret },
    });
    expect(response.statusCode).toBe(200);
    expect((await app.inject(me(foreign.access_token))).statusCode).toBe(200);
  });

  it('requires client authentication', async () => {
    const { app } = buildTestEmulator();
    const pair = await mint(app);
    const response = await app.inject({ method: 'POST', url: '/oauth/revoke', payload: { token: pair.access_token, client_id: TEST_APP.clientId } });
    expect(response.statusCode).toBe(401);
    expect((await app.inject(me(pair.access_token))).statusCode).toBe(200);
  });
});

describe('GET /oauth/token/info', () => {
  it('describes a live token: owner, application, remaining lifetime, creation time', async () => {
    const { app, clock } = buildTestEmulator();
    const pair = await mint(app);
    clock.advance(400 * 1000);
    const response = await app.inject({ method: 'GET', url: '/oauth/token/info', headers: { authorization: `Bearer ${pair.access_token}` } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      resource_owner_id: ALICE_ID,
      scopes: [],
      expires_in_seconds: 5000,
      application: { uid: TEST_APP.clientId },
      created_at: pair.created_at,
    });
  });

  it('names the foreign application a token was issued to', async () => {
    const { app } = buildTestEmulator();
    const foreign = await mint(app, ALICE, { clientId: 'foreign-app' });
    const response = await app.inject({ method: 'GET', url: '/oauth/token/info', headers: { authorization: `Bearer ${foreign.access_token}` } });
    expect(response.json().application).toEqual({ uid: 'foreign-app' });
  });

  it('answers 401 for a missing, unknown, expired or revoked token', async () => {
    const { app, clock } = buildTestEmulator();
    const info = (token?: string) =>
      app.inject({ method: 'GET', url: '/oauth/token/info', headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await info()).statusCode).toBe(401);
    expect((await info('nope')).statusCode).toBe(401);
    const revoked = await mint(app);
    await control(app, 'POST', `/__emulator/accounts/${ALICE}/revoke`);
    expect((await info(revoked.access_token)).json().error).toBe('invalid_token');
    const expiring = await mint(app);
    clock.advance(5400 * 1000);
    expect((await info(expiring.access_token)).statusCode).toBe(401);
  });
});
