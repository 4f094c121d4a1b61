// The loopback listener (SPEC 6.2 items 1 and 5): which redirect URIs are usable, which port is bound, which requests count.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/errors.js';
import { bindLoopback, listenOn, type ListenOn, type LoopbackListener } from '../../src/cli/loopback/listener.js';
import { loopbackRedirects, parseLoopbackRedirectUri } from '../../src/cli/loopback/redirect-uri.js';
import { closeServer, occupyPort } from '../support/ports.js';
import { freePort } from '../support/processes.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw request, so that the test chooses the Host header and the method. */
function send(port: number, path: string, options: { host?: string; method?: string; address?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: options.address ?? '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `localhost:${port}` }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function listening(uri: string, options: Parameters<typeof bindLoopback>[1] = {}): Promise<LoopbackListener> {
  const outcome = await bindLoopback([parseLoopbackRedirectUri(uri)], options);
  if (!('listener' in outcome)) throw new Error(`could not bind ${uri}`);
  open.push(outcome.listener);
  return outcome.listener;
}

describe('redirect URIs the CLI may listen on', () => {
  it.each([
    ['http://localhost:5599/callback', ['127.0.0.1', '::1'], 'localhost:5599', '/callback'],
    ['http://127.0.0.1:5600/cb', ['127.0.0.1'], '127.0.0.1:5600', '/cb'],
    ['http://[::1]:5601/callback', ['::1'], '[::1]:5601', '/callback'],
  ])('%s listens on %j only, for Host %s and path %s', (uri, addresses, hostHeader, path) => {
    expect(parseLoopbackRedirectUri(uri)).toMatchObject({ uri, addresses, hostHeader, path });
  });

  it.each([
    ['another host', 'http://example.com:5599/callback'],
    ['all interfaces', 'http://0.0.0.0:5599/callback'],
    ['https', 'https://localhost:5599/callback'],
    ['no explicit port', 'http://localhost/callback'],
    ['port 80 written out', 'http://localhost:80/callback'],
    ['a port below 1024', 'http://localhost:1023/callback'],
    ['not a URL', 'localhost:5599'],
  ])('refuses %s as a configuration error (exit 2)', (_name, uri) => {
    expect(() => parseLoopbackRedirectUri(uri)).toThrow(expect.objectContaining({ code: 'config_error', exitCode: 2 }));
  });

  it('skips the out-of-band URN and fails when nothing else is left', () => {
    expect(loopbackRedirects(['urn:ietf:wg:oauth:2.0:oob', 'http://localhost:5599/callback']).map((r) => r.port)).toEqual([5599]);
    expect(() => loopbackRedirects(['urn:ietf:wg:oauth:2.0:oob'])).toThrow(CliError);
  });
});

describe('port selection', () => {
  it('binds the next redirect URI when the first port is busy', async () => {
    const [busyPort, freeOne] = [await freePort(), await freePort()];
    const other = await occupyPort(busyPort);
    open.push({ close: () => closeServer(other) });
    const outcome = await bindLoopback(loopbackRedirects([`http://localhost:${busyPort}/callback`, `http://localhost:${freeOne}/callback`]));
    expect('listener' in outcome).toBe(true);
    if ('listener' in outcome) {
      open.push(outcome.listener);
      expect(outcome.listener.redirectUri).toBe(`http://localhost:${freeOne}/callback`);
    }
  });

  it('names every busy port when all are taken', async () => {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      const other = await occupyPort(port);
      open.push({ close: () => closeServer(other) });
    }
    const outcome = await bindLoopback(loopbackRedirects(ports.map((port) => `http://127.0.0.1:${port}/callback`)));
    expect(outcome).toEqual({ busy: ports.map((port) => ({ uri: `http://127.0.0.1:${port}/callback`, port, why: 'in_use' })) });
  });

  it('for localhost, a busy IPv6 loopback counts as busy even when IPv4 is free', async () => {
    const port = await freePort();
    const other = await occupyPort(port, '::1');
    open.push({ close: () => closeServer(other) });
    const outcome = await bindLoopback(loopbackRedirects([`http://localhost:${port}/callback`]));
    expect(outcome).toEqual({ busy: [{ uri: `http://localhost:${port}/callback`, port, why: 'in_use' }] });
    // …and nothing was left listening on 127.0.0.1.
    const probe = await occupyPort(port);
    await closeServer(probe);
  });

  it('for localhost, a machine without IPv6 listens on 127.0.0.1 alone', async () => {
    const noIpv6: ListenOn = (server, address, port) =>
      address === '::1' ? Promise.reject(Object.assign(new Error('no IPv6'), { code: 'EADDRNOTAVAIL' })) : listenOn(server, address, port);
    const port = await freePort();
    const listener = await listening(`http://localhost:${port}/callback`, { listenOn: noIpv6 });
    listener.expectState('s1');
    expect((await send(port, '/callback?state=wrong&code=c')).status).toBe(400);
  });

  it('an IP-literal redirect URI on a missing family is unavailable, not bound elsewhere', async () => {
    const port = await freePort();
    const noIpv6: ListenOn = (server, address, p) =>
      address === '::1' ? Promise.reject(Object.assign(new Error('no IPv6'), { code: 'EAFNOSUPPORT' })) : listenOn(server, address, p);
    const outcome = await bindLoopback(loopbackRedirects([`http://[::1]:${port}/callback`]), { listenOn: noIpv6 });
    expect(outcome).toEqual({ busy: [{ uri: `http://[::1]:${port}/callback`, port, why: 'unavailable' }] });
  });
});

describe('the listener counts only the expected callback', () => {
  const STATE = 'expected-state-value';

  async function ready(refused: string[] = []) {
    const port = await freePort();
    const listener = await listening(`http://localhost:${port}/callback`, { onRefused: (reason) => refused.push(reason) });
    listener.expectState(STATE);
    let settled = false;
    void listener.callback().then(() => (settled = true));
    return { port, listener, isSettled: () => settled };
  }

  it('answers another path (a favicon) with 404', async () => {
    const { port, isSettled } = await ready();
    expect((await send(port, '/favicon.ico')).status).toBe(404);
    expect((await send(port, `/callback/extra?state=${STATE}&code=c`)).status).toBe(404);
    expect((await send(port, `//evil.example/callback?state=${STATE}&code=c`)).status).toBe(404);
    expect((await send(port, `/x/../callback?state=${STATE}&code=c`)).status).toBe(404);
    expect((await send(port, `/CALLBACK?state=${STATE}&code=c`)).status).toBe(404);
    expect(isSettled()).toBe(false);
  });

  it('refuses a request under another Host (DNS rebinding), even with the right state', async () => {
    const refused: string[] = [];
    const { port, isSettled } = await ready(refused);
    const answer = await send(port, `/callback?state=${STATE}&code=c`, { host: `evil.example:${port}` });
    expect(answer.status).toBe(400);
    expect(isSettled()).toBe(false);
    expect(refused).toEqual(['wrong_host']);
  });

  it('ignores a POST on the callback path', async () => {
    const { port, isSettled } = await ready();
    const answer = await send(port, `/callback?state=${STATE}&code=c`, { method: 'POST' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET');
    expect(isSettled()).toBe(false);
  });

  it('rejects a callback whose state does not match, and the wait goes on', async () => {
    const refused: string[] = [];
    const { port, listener } = await ready(refused);
    const tampered = await send(port, '/callback?state=tampered&code=stolen');
    expect(tampered.status).toBe(400);
    expect(tampered.body).toContain('does not belong');
    expect((await send(port, '/callback?code=no-state')).status).toBe(400);
    const held = send(port, `/callback?state=${STATE}&code=the-code`);
    expect(await listener.callback()).toEqual({ kind: 'code', code: 'the-code' });
    await listener.finish({ title: 'Procore connection restored', paragraphs: ['ok'], tone: 'success' });
    expect((await held).status).toBe(200);
    expect(refused).toEqual(['state_mismatch', 'state_mismatch']);
  });

  it('rejects a forged error= callback with the wrong state, and the wait goes on', async () => {
    const { port, listener, isSettled } = await ready();
    expect((await send(port, '/callback?error=access_denied&state=forged')).status).toBe(400);
    expect((await send(port, '/callback?error=access_denied')).status).toBe(400);
    expect(isSettled()).toBe(false);
    const held = send(port, `/callback?state=${STATE}&code=c2`);
    expect(await listener.callback()).toEqual({ kind: 'code', code: 'c2' });
    await listener.finish({ title: 'done', paragraphs: [], tone: 'success' });
    await held;
  });

  it('ends the wait on error=access_denied with the right state, and says so in the page', async () => {
    const { port, listener } = await ready();
    const answer = await send(port, `/callback?error=access_denied&state=${STATE}`);
    expect(await listener.callback()).toEqual({ kind: 'error', error: 'access_denied' });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('not granted');
  });

  it('holds the matching callback until the verdict, whose page is private, self-contained and free of the code; then closes', async () => {
    const { port, listener } = await ready();
    const code = 'AUTH-CODE-abc123';
    let answered = false;
    const held = send(port, `/callback?state=${STATE}&code=${code}`).then((answer) => {
      answered = true;
      return answer;
    });
    await listener.callback();
    // A second copy (a reload) does not count again.
    expect((await send(port, `/callback?state=${STATE}&code=${code}`)).status).toBe(409);
    expect(answered).toBe(false);
    await listener.finish({ title: 'Procore connection restored', paragraphs: ['P-1002 Civic Library is connected <again>.'], tone: 'success' });
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain('Procore connection restored');
    expect(answer.body).toContain('connected &lt;again&gt;');
    expect(answer.body).not.toContain(code);
    expect(answer.body).not.toContain(STATE);
    expect(answer.body).not.toMatch(/\b(src|href)=|@import|url\(/i);
    await expect(send(port, '/callback')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('answers a held callback with "still checking" when no verdict comes within the wait', async () => {
    const port = await freePort();
    const listener = await listening(`http://localhost:${port}/callback`, { verdictWaitMs: 100 });
    listener.expectState(STATE);
    const answer = await send(port, `/callback?state=${STATE}&code=c`);
    expect(answer.body).toContain('Still checking');
  });

  it('refuses every callback before the state is known', async () => {
    const port = await freePort();
    await listening(`http://localhost:${port}/callback`);
    expect((await send(port, '/callback?state=x&code=c')).status).toBe(503);
  });

  it('listens on IPv6 loopback too for localhost', async () => {
    const { port, listener } = await ready();
    const held = send(port, `/callback?state=${STATE}&code=v6`, { address: '::1' });
    expect(await listener.callback()).toEqual({ kind: 'code', code: 'v6' });
    await listener.finish({ title: 'ok', paragraphs: [], tone: 'success' });
    expect((await held).status).toBe(200);
  });

  it('a closed listener frees its port at once, a held request getting the "stopped" page', async () => {
    const { port, listener } = await ready();
    const held = send(port, `/callback?state=${STATE}&code=c`);
    await listener.callback();
    await listener.close();
    expect((await held).body).toContain('Reconnect stopped');
    const again = await occupyPort(port);
    await closeServer(again);
  });
});
