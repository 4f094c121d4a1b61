// OAuth half of the Procore client against msw: authorize URL, grants, token parsing, invalid_grant, revoke, token info.
import { http, HttpResponse, delay } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OOB_REDIRECT_URI } from '../../src/core/index.js';
import { classifyRefreshFailure, parseTokenResponse, ProcoreError } from '../../src/procore/index.js';
import {
  ACCESS_TOKEN, AUTH_CODE, BIG_ID, CLIENT_ID, CLIENT_SECRET, LOGIN, NOW_MS, REFRESH_TOKEN, SECRETS,
  caught, errorSurface, makeClient, server,
} from './support.js';

const REDIRECT_URI = 'http://localhost:5599/callback';
/** RFC 6749 section 5.2's invalid_grant sentence, as Doorkeeper (Procore's OAuth server) sends it. */
const RFC_INVALID_GRANT =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';

function tokenBody(overrides: Record<string, unknown> = {}) {
  return {
    access_token: 'new-access-token',
    token_type: 'bearer',
    expires_in: 5400,
    refresh_token: 'new-refresh-token',
    created_at: 1717200000, // 2024-06-01T00:00:00Z
    ...overrides,
  };
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('buildAuthorizeUrl', () => {
  it('builds exactly {loginUrl}/oauth/authorize?response_type=code&client_id&redirect_uri&state', () => {
    const { client } = makeClient();
    expect(client.buildAuthorizeUrl({ redirectUri: REDIRECT_URI, state: 'st4te-abc' })).toBe(
      `${LOGIN}/oauth/authorize?response_type=code&client_id=${CLIENT_ID}` +
        '&redirect_uri=http%3A%2F%2Flocalhost%3A5599%2Fcallback&state=st4te-abc',
    );
  });

  it('encodes the out-of-band redirect URI', () => {
    const { client } = makeClient();
    const url = new URL(client.buildAuthorizeUrl({ redirectUri: OOB_REDIRECT_URI, state: 's' }));
    expect(url.searchParams.get('redirect_uri')).toBe('urn:ietf:wg:oauth:2.0:oob');
  });
});

describe('redeemAuthorizationCode', () => {
  it('posts the code grant form-encoded with client_id, client_secret and redirect_uri', async () => {
    let form: URLSearchParams | undefined;
    let contentType: string | null = null;
    server.use(
      http.post(`${LOGIN}/oauth/token`, async ({ request }) => {
        contentType = request.headers.get('content-type');
        form = new URLSearchParams(await request.text());
        return HttpResponse.json(tokenBody());
      }),
    );
    const { client } = makeClient();
    const tokens = await client.redeemAuthorizationCode({ code: AUTH_CODE, redirectUri: REDIRECT_URI });
    expect(contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(form!)).toEqual({
      grant_type: 'authorization_code',
      code: AUTH_CODE,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect(tokens.accessToken).toBe('new-access-token');
    expect(tokens.refreshToken).toBe('new-refresh-token');
  });

  it('is never retried: a code is single use', async () => {
    let requests = 0;
    server.use(
      http.post(`${LOGIN}/oauth/token`, () => {
        requests++;
        return new HttpResponse('busy', { status: 503 });
      }),
    );
    const { client, sleeps } = makeClient();
    const err = await caught(() => client.redeemAuthorizationCode({ code: AUTH_CODE, redirectUri: REDIRECT_URI }));
    expect(err).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(requests).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

describe('token responses', () => {
  it.each([
    { expiresIn: 5400, createdAt: 1717200000 },
    { expiresIn: 7200, createdAt: 1717200000 },
    { expiresIn: 900, createdAt: 1717199000 },
  ])('respects expires_in=$expiresIn and created_at as Procore answers them', async ({ expiresIn, createdAt }) => {
    server.use(http.post(`${LOGIN}/oauth/token`, () => HttpResponse.json(tokenBody({ expires_in: expiresIn, created_at: createdAt }))));
    const { client } = makeClient();
    const tokens = await client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: REDIRECT_URI });
    expect(tokens.expiresInSeconds).toBe(expiresIn);
    expect(tokens.createdAt.getTime()).toBe(createdAt * 1000);
    expect(tokens.expiresAt.getTime()).toBe((createdAt + expiresIn) * 1000);
  });

  it('parses a pushed raw token response (snake_case) the same way', () => {
    const tokens = parseTokenResponse(tokenBody({ access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN }));
    expect(tokens).toEqual({
      accessToken: ACCESS_TOKEN,
      refreshToken: REFRESH_TOKEN,
      expiresInSeconds: 5400,
      createdAt: new Date(1717200000 * 1000),
      expiresAt: new Date((1717200000 + 5400) * 1000),
    });
  });

  it('counts from now when created_at is missing', () => {
    const { created_at: _omit, ...body } = tokenBody();
    expect(parseTokenResponse(body, NOW_MS).expiresAt.getTime()).toBe(NOW_MS + 5400 * 1000);
  });

  it.each([
    ['not an object', 'nope'],
    ['access_token missing', tokenBody({ access_token: undefined })],
    ['refresh_token missing', tokenBody({ refresh_token: '' })],
    ['expires_in missing', tokenBody({ expires_in: undefined })],
    ['expires_in not positive', tokenBody({ expires_in: 0 })],
    ['token_type not bearer', tokenBody({ token_type: 'mac' })],
    ['created_at in milliseconds', tokenBody({ created_at: NOW_MS })],
  ])('rejects a token response with %s as bad_response, without quoting any token', (_case, body) => {
    let err: unknown;
    try {
      parseTokenResponse(body);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProcoreError);
    expect((err as ProcoreError).kind).toBe('bad_response');
    expect((err as ProcoreError).message).not.toContain('new-access-token');
    expect((err as ProcoreError).message).not.toContain('new-refresh-token');
  });
});

describe('refreshAccessToken', () => {
  it('posts grant_type=refresh_token with the refresh token, client credentials and the stored redirect_uri', async () => {
    let form: Record<string, string> = {};
    server.use(
      http.post(`${LOGIN}/oauth/token`, async ({ request }) => {
        form = Object.fromEntries(new URLSearchParams(await request.text()));
        return HttpResponse.json(tokenBody());
      }),
    );
    const { client } = makeClient();
    await client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: OOB_REDIRECT_URI });
    expect(form).toEqual({
      grant_type: 'refresh_token',
      refresh_token: REFRESH_TOKEN,
      redirect_uri: OOB_REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
  });

  it.each([
    { description: 'The refresh token has expired.', expected: 'token_expired' },
    { description: RFC_INVALID_GRANT, expected: 'token_revoked' },
    { description: 'The refresh token was revoked.', expected: 'token_revoked' },
    { description: 'The refresh token has expired or was revoked.', expected: 'token_revoked' },
    { description: undefined, expected: 'token_revoked' },
  ])('parses invalid_grant and classifies "$description" as $expected', async ({ description, expected }) => {
    server.use(
      http.post(`${LOGIN}/oauth/token`, () =>
        HttpResponse.json({ error: 'invalid_grant', ...(description ? { error_description: description } : {}) }, { status: 400 }),
      ),
    );
    const { client } = makeClient();
    const err = await caught(() => client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: REDIRECT_URI }));
    expect(err).toBeInstanceOf(ProcoreError);
    expect(err).toMatchObject({ kind: 'invalid_grant', status: 400, oauthError: 'invalid_grant', description });
    expect(classifyRefreshFailure(err)).toBe(expected);
  });

  it('maps invalid_client (401) to invalid_client, which says nothing about the account', async () => {
    server.use(
      http.post(`${LOGIN}/oauth/token`, () =>
        HttpResponse.json(
          { error: 'invalid_client', error_description: 'Client authentication failed due to unknown client.' },
          { status: 401 },
        ),
      ),
    );
    const { client } = makeClient();
    const err = await caught(() => client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: REDIRECT_URI }));
    expect(err).toMatchObject({ kind: 'invalid_client', status: 401 });
    expect(classifyRefreshFailure(err)).toBe('unknown');
  });

  it('maps other OAuth errors (invalid_request) to oauth_error', async () => {
    server.use(http.post(`${LOGIN}/oauth/token`, () => HttpResponse.json({ error: 'invalid_request' }, { status: 400 })));
    const { client } = makeClient();
    const err = await caught(() => client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: REDIRECT_URI }));
    expect(err).toMatchObject({ kind: 'oauth_error', oauthError: 'invalid_request' });
  });

  it('is never retried: a 503 ends after one request, flagged as possibly processed', async () => {
    let requests = 0;
    server.use(
      http.post(`${LOGIN}/oauth/token`, () => {
        requests++;
        return new HttpResponse(null, { status: 503, headers: { 'retry-after': '1' } });
      }),
    );
    const { client, sleeps } = makeClient();
    const err = await caught(() => client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: REDIRECT_URI }));
    expect(err).toMatchObject({ kind: 'unavailable', status: 503, mayHaveReachedProcore: true });
    expect(requests).toBe(1);
    expect(sleeps).toEqual([]);
    expect(classifyRefreshFailure(err)).toBe('procore_unreachable');
  });

  it('is never retried: a timeout throws unavailable with mayHaveReachedProcore', async () => {
    let requests = 0;
    server.use(
      http.post(`${LOGIN}/oauth/token`, async () => {
        requests++;
        await delay(1_000);
        return HttpResponse.json(tokenBody());
      }),
    );
    const { client, sleeps } = makeClient({ timeoutMs: 100 });
    const err = await caught(() => client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: REDIRECT_URI }));
    expect(err).toMatchObject({ kind: 'unavailable', mayHaveReachedProcore: true });
    expect(err.message).toMatch(/timed out/);
    expect(requests).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('a 200 whose body cannot be read is bad_response with mayHaveReachedProcore (the old refresh token is spent)', async () => {
    server.use(http.post(`${LOGIN}/oauth/token`, () => new HttpResponse('<html>oops</html>', { status: 200 })));
    const { client } = makeClient();
    const err = await caught(() => client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: REDIRECT_URI }));
    expect(err).toMatchObject({ kind: 'bad_response', status: 200, mayHaveReachedProcore: true });
  });

  it('puts no token, code or client secret in a thrown error', async () => {
    server.use(
      http.post(`${LOGIN}/oauth/token`, () =>
        HttpResponse.json({ error: 'invalid_grant', error_description: `token=${REFRESH_TOKEN} is bad` }, { status: 400 }),
      ),
    );
    const { client } = makeClient();
    const err = await caught(() => client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: REDIRECT_URI }));
    for (const secret of SECRETS) expect(errorSurface(err)).not.toContain(secret);
  });
});

describe('revokeToken', () => {
  it('posts the token with client_id and client_secret; 200 (also for unknown tokens) resolves', async () => {
    let form: Record<string, string> = {};
    server.use(
      http.post(`${LOGIN}/oauth/revoke`, async ({ request }) => {
        form = Object.fromEntries(new URLSearchParams(await request.text()));
        return HttpResponse.json({});
      }),
    );
    const { client } = makeClient();
    await expect(client.revokeToken(ACCESS_TOKEN)).resolves.toBeUndefined();
    expect(form).toEqual({ token: ACCESS_TOKEN, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  });

  it('is retried on 5xx, since revoking twice is harmless', async () => {
    let requests = 0;
    server.use(
      http.post(`${LOGIN}/oauth/revoke`, () => (++requests < 3 ? new HttpResponse(null, { status: 502 }) : HttpResponse.json({}))),
    );
    const { client, sleeps } = makeClient();
    await client.revokeToken(ACCESS_TOKEN);
    expect(requests).toBe(3);
    expect(sleeps).toEqual([500, 1000]);
  });
});

describe('getTokenInfo', () => {
  it('sends the bearer token and returns the owner id as an exact string and the application uid', async () => {
    let authorization: string | null = null;
    server.use(
      http.get(`${LOGIN}/oauth/token/info`, ({ request }) => {
        authorization = request.headers.get('authorization');
        return HttpResponse.json({
          resource_owner_id: BIG_ID,
          scopes: [],
          expires_in_seconds: 4321,
          application: { uid: CLIENT_ID },
          created_at: 1717200000,
        });
      }),
    );
    const { client } = makeClient();
    const info = await client.getTokenInfo(ACCESS_TOKEN);
    expect(authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(info).toEqual({
      resourceOwnerId: '562949953421312',
      applicationUid: CLIENT_ID,
      expiresInSeconds: 4321,
      createdAt: new Date(1717200000 * 1000),
    });
  });

  it('reads Doorkeeper\'s expires_in too and a missing application as null', async () => {
    server.use(http.get(`${LOGIN}/oauth/token/info`, () => HttpResponse.json({ resource_owner_id: '42', expires_in: 10, created_at: 1 })));
    const { client } = makeClient();
    expect(await client.getTokenInfo(ACCESS_TOKEN)).toMatchObject({ resourceOwnerId: '42', applicationUid: null, expiresInSeconds: 10 });
  });

  it('maps an invalid token (401 invalid_token) to unauthorized', async () => {
    server.use(
      http.get(`${LOGIN}/oauth/token/info`, () =>
        HttpResponse.json({ error: 'invalid_token', error_description: 'The access token is invalid' }, { status: 401 }),
      ),
    );
    const { client } = makeClient();
    expect(await caught(() => client.getTokenInfo(ACCESS_TOKEN))).toMatchObject({ kind: 'unauthorized', status: 401 });
  });
});
