// Real listeners: what only sockets show (outage modes, redirects over HTTP, a close() that never hangs).
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/procore-emulator/index.js';
import { ALICE, PASSWORD, REDIRECT, TEST_APP, testSeed } from './helpers.js';

let running: RunningEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(): Promise<RunningEmulator> {
  running = await startEmulator({ seed: testSeed(), app: TEST_APP });
  return running;
}

async function mintOver(emulator: RunningEmulator): Promise<{ access_token: string; refresh_token: string }> {
  const response = await fetch(`${emulator.url}/__emulator/accounts/${ALICE}/tokens`, { method: 'POST' });
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token: string };
}

async function setOutage(emulator: RunningEmulator, body: unknown): Promise<void> {
  const response = await fetch(`${emulator.url}/__emulator/outage`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

/** The socket-level outcome of a GET: a status, or the error code of the connection. */
function rawGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
    req.end();
  });
}

describe('startEmulator', () => {
  it('listens on a free loopback port and reports its URL', async () => {
    const emulator = await start();
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(emulator.port).toBeGreaterThan(0);
    const stats = await fetch(`${emulator.url}/__emulator/stats`);
    expect(await stats.json()).toEqual({ refreshTokenReuse: 0, tokenRequests: 0, apiRequests: 0 });
  });

  it('redirects the browser to the exact redirect URI over HTTP, and keeps the sign-in cookie', async () => {
    const emulator = await start();
    const fields = { client_id: TEST_APP.clientId, redirect_uri: REDIRECT, response_type: 'code', state: 's1', decision: 'allow' };
    const signIn = await fetch(`${emulator.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ ...fields, login: ALICE, password: PASSWORD }),
    });
    expect(signIn.status).toBe(302);
    const location = new URL(signIn.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('s1');
    const cookie = (signIn.headers.get('set-cookie') as string).split(';')[0];

    const again = await fetch(`${emulator.url}/oauth/authorize`, { method: 'POST', redirect: 'manual', headers: { cookie }, body: new URLSearchParams(fields) });
    expect(again.status).toBe(302);

    const token = await fetch(`${emulator.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: new URL(again.headers.get('location') as string).searchParams.get('code') as string,
        redirect_uri: REDIRECT,
        client_id: TEST_APP.clientId,
        client_secret: TEST_APP.clientSecret,
      }),
    });
    expect(token.status).toBe(200);
  });
});

describe('outage', () => {
  it('"status" mode answers 503 with Retry-After to API and token calls, while control and sign-in pages stay up', async () => {
    const emulator = await start();
    const pair = await mintOver(emulator);
    await setOutage(emulator, { enabled: true, retryAfterSeconds: 7 });

    const me = await fetch(`${emulator.url}/rest/v1.0/me`, { headers: { authorization: `Bearer ${pair.access_token}` } });
    expect(me.status).toBe(503);
    expect(me.headers.get('retry-after')).toBe('7');
    const token = await fetch(`${emulator.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: pair.refresh_token, client_id: TEST_APP.clientId, client_secret: TEST_APP.clientSecret }),
    });
    expect(token.status).toBe(503);
    const info = await fetch(`${emulator.url}/oauth/token/info`, { headers: { authorization: `Bearer ${pair.access_token}` } });
    expect(info.status).toBe(503);
    const page = await fetch(`${emulator.url}/oauth/authorize?response_type=code&client_id=${TEST_APP.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}`);
    expect(page.status).toBe(200);
    expect((await (await fetch(`${emulator.url}/__emulator/stats`)).json()).apiRequests).toBe(1);

    // The refresh never reached the grant: the token still works once the outage ends.
    await setOutage(emulator, { enabled: false });
    const after = await fetch(`${emulator.url}/rest/v1.0/me`, { headers: { authorization: `Bearer ${pair.access_token}` } });
    expect(after.status).toBe(200);
  });

  it('"status" mode answers the status asked for', async () => {
    const emulator = await start();
    await setOutage(emulator, { enabled: true, status: 502 });
    const me = await fetch(`${emulator.url}/rest/v1.0/me`);
    expect(me.status).toBe(502);
    expect(me.headers.get('retry-after')).toBeNull();
  });

  it('"timeout" mode never answers, and close() still returns promptly with the request held', async () => {
    const emulator = await start();
    const pair = await mintOver(emulator);
    await setOutage(emulator, { enabled: true, mode: 'timeout' });
    const outcome = await rawGet(`${emulator.url}/rest/v1.0/me`, { authorization: `Bearer ${pair.access_token}` }, 300);
    expect(outcome).toEqual({ error: 'CLIENT_TIMEOUT' });

    const held = rawGet(`${emulator.url}/rest/v1.0/me`, { authorization: `Bearer ${pair.access_token}` }, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).toBeLessThan(2000);
    const heldOutcome = await held;
    expect(heldOutcome.status).toBeUndefined();
    expect(heldOutcome.error).toBeDefined();
  });

  it('"reset" mode resets the connection', async () => {
    const emulator = await start();
    await setOutage(emulator, { enabled: true, mode: 'reset' });
    expect(await rawGet(`${emulator.url}/rest/v1.0/me`, {}, 5000)).toEqual({ error: 'ECONNRESET' });
    const token = await fetch(`${emulator.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token' }) }).catch(
      (error: Error) => error,
    );
    expect(token).toBeInstanceOf(Error);
    // Control endpoints are not part of the outage.
    expect((await fetch(`${emulator.url}/__emulator/stats`)).status).toBe(200);
  });
});
