// SPEC 4.4 per-request retries and rate limits, classification, and secrets kept out of every error.
import { http, HttpResponse, delay } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classifyApiFailure, isTransient, ProcoreError } from '../../src/procore/index.js';
import { API, ACCESS_TOKEN, AUTH_CODE, LOGIN, NOW_MS, REFRESH_TOKEN, SECRETS, caught, errorSurface, makeClient, server } from './support.js';

const ME = `${API}/rest/v1.0/me`;
const meBody = { id: 1, login: 'a@b.c', name: 'A' };

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A handler answering the given responses in turn, counting requests. */
function sequence(...responses: Array<() => Response | Promise<Response>>) {
  const counter = { requests: 0 };
  const handler = () => {
    const next = responses[Math.min(counter.requests, responses.length - 1)];
    counter.requests++;
    return next();
  };
  return { counter, handler };
}

describe('429 rate limits', () => {
  it('429 with Retry-After yields retryAfterSeconds and is not retried inside the client', async () => {
    const { counter, handler } = sequence(() => new HttpResponse('slow down', { status: 429, headers: { 'retry-after': '37' } }));
    server.use(http.get(ME, handler));
    const { client, sleeps } = makeClient();
    const err = await caught(() => client.getMe(ACCESS_TOKEN));
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterSeconds: 37 });
    expect(counter.requests).toBe(1);
    expect(sleeps).toEqual([]);
    expect(isTransient(err)).toBe(true);
    expect(classifyApiFailure(err, { freshToken: false })).toBe('rate_limited');
  });

  it('429 with only X-Rate-Limit-Reset yields the seconds until the reset (unix seconds minus now)', async () => {
    const resetAt = NOW_MS / 1000 + 1234;
    server.use(
      http.get(ME, () =>
        new HttpResponse('You have surpassed the max number of requests for an hour. Please wait until your limit resets.', {
          status: 429,
          headers: { 'x-rate-limit-limit': '3600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetAt) },
        }),
      ),
    );
    const { client } = makeClient();
    expect(await caught(() => client.getMe(ACCESS_TOKEN))).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 1234 });
  });

  it('429 with both headers waits for the later of the two', async () => {
    server.use(
      http.get(ME, () =>
        new HttpResponse(null, { status: 429, headers: { 'retry-after': '5', 'x-rate-limit-reset': String(NOW_MS / 1000 + 60) } }),
      ),
    );
    const { client } = makeClient();
    expect(await caught(() => client.getMe(ACCESS_TOKEN))).toMatchObject({ retryAfterSeconds: 60 });
  });

  it('429 with an HTTP-date Retry-After is read against the injected clock', async () => {
    server.use(http.get(ME, () => new HttpResponse(null, { status: 429, headers: { 'retry-after': new Date(NOW_MS + 90_000).toUTCString() } })));
    const { client } = makeClient();
    expect(await caught(() => client.getMe(ACCESS_TOKEN))).toMatchObject({ retryAfterSeconds: 90 });
  });

  it('429 without either header leaves retryAfterSeconds undefined (no assumed number)', async () => {
    server.use(http.get(ME, () => new HttpResponse(null, { status: 429 })));
    const { client } = makeClient();
    const err = await caught(() => client.getMe(ACCESS_TOKEN));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBeUndefined();
  });
});

describe('per-request retries', () => {
  it('503 with Retry-After is retried after that wait, then succeeds', async () => {
    const { counter, handler } = sequence(
      () => new HttpResponse(null, { status: 503, headers: { 'retry-after': '2' } }),
      () => HttpResponse.json(meBody),
    );
    server.use(http.get(ME, handler));
    const { client, sleeps } = makeClient();
    expect(await client.getMe(ACCESS_TOKEN)).toMatchObject({ id: '1' });
    expect(counter.requests).toBe(2);
    expect(sleeps).toEqual([2000]);
  });

  it('5xx is retried 3 times, 500 ms, 1 s and 2 s apart, then fails as unavailable', async () => {
    const { counter, handler } = sequence(() => new HttpResponse('boom', { status: 500 }));
    server.use(http.get(ME, handler));
    const { client, sleeps } = makeClient();
    const err = await caught(() => client.getMe(ACCESS_TOKEN));
    expect(err).toMatchObject({ kind: 'unavailable', status: 500 });
    expect(counter.requests).toBe(4);
    expect(sleeps).toEqual([500, 1000, 2000]);
    expect(classifyApiFailure(err, { freshToken: true })).toBe('procore_unreachable');
  });

  it('a Retry-After above 10 s ends retrying at once', async () => {
    const { counter, handler } = sequence(() => new HttpResponse(null, { status: 503, headers: { 'retry-after': '120' } }));
    server.use(http.get(ME, handler));
    const { client, sleeps } = makeClient();
    expect(await caught(() => client.getMe(ACCESS_TOKEN))).toMatchObject({ kind: 'unavailable', status: 503, retryAfterSeconds: 120 });
    expect(counter.requests).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('connection errors are retried, then succeed', async () => {
    const { counter, handler } = sequence(() => HttpResponse.error(), () => HttpResponse.error(), () => HttpResponse.json(meBody));
    server.use(http.get(ME, handler));
    const { client, sleeps } = makeClient();
    await client.getMe(ACCESS_TOKEN);
    expect(counter.requests).toBe(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('timeouts are retried 3 times, then fail as unavailable', async () => {
    const { counter, handler } = sequence(async () => {
      await delay(1_000);
      return HttpResponse.json(meBody);
    });
    server.use(http.get(ME, handler));
    const { client, sleeps } = makeClient({ timeoutMs: 50 });
    const err = await caught(() => client.getMe(ACCESS_TOKEN));
    expect(err).toMatchObject({ kind: 'unavailable' });
    expect(err.status).toBeUndefined();
    expect(counter.requests).toBe(4);
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it('a page of a listing is retried on its own, without restarting the listing', async () => {
    const pages: number[] = [];
    let failedOnce = false;
    server.use(
      http.get(`${API}/rest/v1.0/projects`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        pages.push(page);
        if (page === 2 && !failedOnce) {
          failedOnce = true;
          return new HttpResponse(null, { status: 502 });
        }
        return HttpResponse.json([{ id: page, name: `p${page}` }], { headers: { total: '2', 'per-page': '1' } });
      }),
    );
    const { client, sleeps } = makeClient();
    expect((await client.listProjects(ACCESS_TOKEN, '1')).map((p) => p.id)).toEqual(['1', '2']);
    expect(pages).toEqual([1, 2, 2]);
    expect(sleeps).toEqual([500]);
  });
});

describe('classification', () => {
  it.each([
    { kind: 'unauthorized', freshToken: true, expected: 'token_revoked' },
    { kind: 'unauthorized', freshToken: false, expected: 'needs_refresh' },
    { kind: 'forbidden', freshToken: true, expected: 'permission_denied' },
    { kind: 'not_found', freshToken: false, expected: 'permission_denied' },
    { kind: 'unavailable', freshToken: false, expected: 'procore_unreachable' },
    { kind: 'rate_limited', freshToken: false, expected: 'rate_limited' },
    { kind: 'bad_response', freshToken: false, expected: 'unknown' },
  ] as const)('classifyApiFailure($kind, freshToken=$freshToken) is $expected', ({ kind, freshToken, expected }) => {
    expect(classifyApiFailure(new ProcoreError(kind, 'x'), { freshToken })).toBe(expected);
  });

  it('only unavailable and rate_limited are transient', () => {
    expect(isTransient(new ProcoreError('unavailable', 'x'))).toBe(true);
    expect(isTransient(new ProcoreError('rate_limited', 'x'))).toBe(true);
    for (const kind of ['invalid_grant', 'unauthorized', 'forbidden', 'not_found', 'bad_response'] as const) {
      expect(isTransient(new ProcoreError(kind, 'x'))).toBe(false);
    }
    expect(isTransient(new Error('x'))).toBe(false);
  });
});

describe('secrets', () => {
  it('no token, code or client secret appears in any thrown error, cause or trace line', async () => {
    const echo = `token=${ACCESS_TOKEN}&code=${AUTH_CODE} Bearer ${ACCESS_TOKEN}`;
    server.use(
      http.get(ME, () => HttpResponse.json({ errors: echo }, { status: 401 })),
      http.get(`${API}/rest/v1.0/companies`, () => HttpResponse.error()),
      http.get(`${API}/rest/v1.0/projects/:id`, () => new HttpResponse(echo, { status: 500 })),
      http.post(`${LOGIN}/oauth/token`, async ({ request }) => {
        const form = new URLSearchParams(await request.text());
        if (form.get('grant_type') === 'authorization_code') return HttpResponse.json({ error: 'invalid_grant', error_description: echo }, { status: 400 });
        await delay(500);
        return HttpResponse.json({});
      }),
      http.post(`${LOGIN}/oauth/revoke`, () => HttpResponse.json({ error: 'invalid_client', error_description: echo }, { status: 401 })),
      http.get(`${LOGIN}/oauth/token/info`, () => new HttpResponse(echo, { status: 200 })),
    );
    const { client, logLines } = makeClient({ timeoutMs: 50 });
    const errors = [
      await caught(() => client.getMe(ACCESS_TOKEN)),
      await caught(() => client.listCompanies(ACCESS_TOKEN)),
      await caught(() => client.getProject(ACCESS_TOKEN, '1', '2')),
      await caught(() => client.redeemAuthorizationCode({ code: AUTH_CODE, redirectUri: 'http://localhost:5599/callback' })),
      await caught(() => client.refreshAccessToken({ refreshToken: REFRESH_TOKEN, redirectUri: 'http://localhost:5599/callback' })),
      await caught(() => client.revokeToken(ACCESS_TOKEN)),
      await caught(() => client.getTokenInfo(ACCESS_TOKEN)),
    ];
    expect(errors.map((e) => e.kind)).toEqual(['unauthorized', 'unavailable', 'unavailable', 'invalid_grant', 'unavailable', 'invalid_client', 'bad_response']);
    const surfaces = [...errors.map(errorSurface), JSON.stringify(logLines)].join('\n');
    for (const secret of SECRETS) expect(surfaces).not.toContain(secret);
    expect(logLines.length).toBeGreaterThan(0);
  });
});
