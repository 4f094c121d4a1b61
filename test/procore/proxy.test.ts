// SPEC 6.5 without msw: a real loopback CONNECT proxy and target; non-loopback hosts go through it, loopback never.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProcoreClient, isLoopbackHost, proxyForUrl, type ProcoreClient } from '../../src/procore/index.js';
import { startConnectProxy, type TestProxy } from '../support/connect-proxy.js';

/** The host name only the test proxy knows: a request to it can only succeed through the proxy. */
const FAKE_HOST = 'procore.test';

/** The loopback CONNECT proxy that alone knows FAKE_HOST. */
const startProxy = () => startConnectProxy(FAKE_HOST);

interface Target {
  port: number;
  hosts: string[];
  close(): Promise<void>;
}

/** A stand-in for Procore's /me, recording the Host header of each request. */
async function startTarget(): Promise<Target> {
  const hosts: string[] = [];
  const target = http.createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: 562949953421312, login: 'jsmith@demo.example', name: 'J Smith' }));
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  return {
    port: (target.address() as AddressInfo).port,
    hosts,
    close: async () => {
      target.closeAllConnections();
      await new Promise<void>((resolve) => target.close(() => resolve()));
    },
  };
}

let proxy: TestProxy;
let target: Target;
const clients: ProcoreClient[] = [];

function clientFor(apiUrl: string, env: NodeJS.ProcessEnv): ProcoreClient {
  const client = createProcoreClient({
    loginUrl: apiUrl,
    apiUrl,
    clientId: 'id',
    clientSecret: 'secret',
    timeoutMs: 5_000,
    sleep: async () => {},
    env,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  proxy = await startProxy();
  target = await startTarget();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  proxy.connects.length = 0;
  target.hosts.length = 0;
});
afterAll(async () => {
  await proxy.close();
  await target.close();
});

describe('outbound proxy', () => {
  it('reaches a non-loopback host through the CONNECT proxy named by HTTP_PROXY / HTTPS_PROXY in the injected env', async () => {
    const client = clientFor(`http://${FAKE_HOST}:${target.port}`, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    const me = await client.getMe('access-token');
    expect(me.id).toBe('562949953421312');
    expect(proxy.connects).toEqual([`${FAKE_HOST}:${target.port}`]);
    expect(target.hosts).toEqual([`${FAKE_HOST}:${target.port}`]);
  });

  it('reuses the tunnel for later requests (keep-alive) instead of a CONNECT per call', async () => {
    const client = clientFor(`http://${FAKE_HOST}:${target.port}`, { http_proxy: proxy.url });
    await client.getMe('access-token');
    await client.getMe('access-token');
    expect(target.hosts.length).toBe(2);
    expect(proxy.connects.length).toBe(1);
  });

  it('never proxies a loopback apiUrl, even when NO_PROXY does not list it', async () => {
    const client = clientFor(`http://127.0.0.1:${target.port}`, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com' });
    await client.getMe('access-token');
    expect(proxy.connects).toEqual([]);
    expect(target.hosts).toEqual([`127.0.0.1:${target.port}`]);
  });

  it('fails as unavailable (not a crash) when the proxy refuses the tunnel', async () => {
    const client = clientFor('http://elsewhere.test:1', { HTTP_PROXY: proxy.url });
    await expect(client.getMe('access-token')).rejects.toMatchObject({ name: 'ProcoreError', kind: 'unavailable' });
    expect(proxy.connects).toContain('elsewhere.test:1');
  });
});

describe('proxyForUrl', () => {
  it.each([
    ['https://api.procore.com/rest/v1.0/me', { HTTPS_PROXY: 'http://proxy:3128' }, 'http://proxy:3128'],
    ['http://api.procore.test/x', { HTTP_PROXY: 'http://proxy:3128' }, 'http://proxy:3128'],
    ['https://api.procore.com/x', { HTTP_PROXY: 'http://proxy:3128' }, ''],
    ['https://api.procore.com/x', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }, 'http://lower:1'],
    ['https://api.procore.com/x', { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.procore.com' }, ''],
    ['https://api.procore.com/x', { HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'other.com' }, 'http://proxy:3128'],
    ['http://localhost:8081/x', { HTTP_PROXY: 'http://proxy:3128' }, ''],
    ['http://127.0.0.1:8081/x', { HTTP_PROXY: 'http://proxy:3128' }, ''],
    ['http://127.1.2.3:8081/x', { HTTP_PROXY: 'http://proxy:3128' }, ''],
    ['http://[::1]:8081/x', { HTTP_PROXY: 'http://proxy:3128' }, ''],
    ['https://api.procore.com/x', {}, ''],
  ])('%s with %j → %j', (url, env, expected) => {
    expect(proxyForUrl(url, env)).toBe(expected);
  });

  it('leaves process.env exactly as it was', () => {
    const before = { ...process.env };
    proxyForUrl('https://api.procore.com/x', { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'x' });
    expect({ ...process.env }).toEqual(before);
  });

  it.each([
    ['localhost', true], ['api.localhost', true], ['127.0.0.1', true], ['127.255.0.9', true], ['[::1]', true],
    ['::ffff:127.0.0.1', true], ['128.0.0.1', false], ['procore.test', false], ['localhost.example.com', false],
  ])('isLoopbackHost(%s) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
