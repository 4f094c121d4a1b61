// Rate limiting: X-Rate-Limit-* headers, 429 past the limit, header variants and scope.
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, START, api, buildTestEmulator, control, mint } from './helpers.js';

const ME = '/rest/v1.0/me';
const resetAt = (windowSeconds: number) => String(Math.ceil((START + windowSeconds * 1000) / 1000));

describe('rate limit headers', () => {
  it('sends plausible X-Rate-Limit-* headers when unlimited, and never runs Remaining down to 0', async () => {
    const { app } = buildTestEmulator();
    const token = (await mint(app)).access_token;
    const first = await api(app, ME, token);
    expect(first.headers['x-rate-limit-limit']).toBe('1000000');
    expect(first.headers['x-rate-limit-remaining']).toBe('999999');
    expect(first.headers['x-rate-limit-reset']).toBe(resetAt(3600));
    expect(first.headers['retry-after']).toBeUndefined();
    const second = await api(app, ME, token);
    expect(second.headers['x-rate-limit-remaining']).toBe('999998');
  });

  it('answers 429 past the limit with both Retry-After and X-Rate-Limit-Reset by default', async () => {
    const { app, clock } = buildTestEmulator();
    await control(app, 'PUT', '/__emulator/settings', { rateLimitPerWindow: 2, rateLimitWindowSeconds: 60 });
    const token = (await mint(app)).access_token;
    const one = await api(app, ME, token);
    expect(one.statusCode).toBe(200);
    expect(one.headers['x-rate-limit-limit']).toBe('2');
    expect(one.headers['x-rate-limit-remaining']).toBe('1');
    expect((await api(app, ME, token)).headers['x-rate-limit-remaining']).toBe('0');
    clock.advance(15_000);
    const limited = await api(app, ME, token);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['x-rate-limit-remaining']).toBe('0');
    expect(limited.headers['x-rate-limit-reset']).toBe(resetAt(60));
    expect(limited.headers['retry-after']).toBe('45');
    // The window rolls over: calls go through again.
    clock.advance(45_000);
    expect((await api(app, ME, token)).statusCode).toBe(200);
  });

  it('"retry-after" mode: Retry-After on the 429 and no X-Rate-Limit-Reset anywhere', async () => {
    const { app } = buildTestEmulator();
    await control(app, 'PUT', '/__emulator/settings', { rateLimitPerWindow: 1, rateLimitHeaders: 'retry-after' });
    const token = (await mint(app)).access_token;
    const ok = await api(app, ME, token);
    expect(ok.headers['x-rate-limit-reset']).toBeUndefined();
    const limited = await api(app, ME, token);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('3600');
    expect(limited.headers['x-rate-limit-reset']).toBeUndefined();
  });

  it('"reset" mode: X-Rate-Limit-Reset on the 429 and no Retry-After', async () => {
    const { app } = buildTestEmulator();
    await control(app, 'PUT', '/__emulator/settings', { rateLimitPerWindow: 1, rateLimitHeaders: 'reset' });
    const token = (await mint(app)).access_token;
    await api(app, ME, token);
    const limited = await api(app, ME, token);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeUndefined();
    expect(limited.headers['x-rate-limit-reset']).toBe(resetAt(3600));
  });

  it('counts per account by default, and per app with rateLimitScope "app"', async () => {
    const { app } = buildTestEmulator();
    await control(app, 'PUT', '/__emulator/settings', { rateLimitPerWindow: 1 });
    const alice = (await mint(app, ALICE)).access_token;
    const bob = (await mint(app, BOB)).access_token;
    expect((await api(app, ME, alice)).statusCode).toBe(200);
    expect((await api(app, ME, bob)).statusCode).toBe(200);
    expect((await api(app, ME, alice)).statusCode).toBe(429);

    await control(app, 'PUT', '/__emulator/settings', { rateLimitScope: 'app' });
    expect((await api(app, ME, alice)).statusCode).toBe(200);
    expect((await api(app, ME, bob)).statusCode).toBe(429);
  });

  it('applies to every REST call, not to the token endpoint', async () => {
    const { app } = buildTestEmulator();
    await control(app, 'PUT', '/__emulator/settings', { rateLimitPerWindow: 1 });
    const pair = await mint(app);
    await api(app, ME, pair.access_token);
    expect((await api(app, '/rest/v1.0/companies', pair.access_token)).statusCode).toBe(429);
    const token = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'refresh_token', refresh_token: pair.refresh_token, client_id: 'test-client', client_secret: 'test-secret' },
    });
    expect(token.statusCode).toBe(200);
  });
});
