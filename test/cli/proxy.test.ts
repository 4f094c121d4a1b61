// SPEC 6.5 without msw: the CLI reaches the NCS server through a real loopback CONNECT proxy; loopback never through it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { proxyForUrl } from '../../src/cli/api/proxy.js';
import { runNcs, tempConfigDir } from './harness.js';
import { startConnectProxy, type TestProxy } from '../support/connect-proxy.js';

/** A host name only the test proxy knows: a request to it can only succeed through the proxy. */
const FAKE_HOST = 'ncs.proxied.test';
const TOKEN = 'ncs_t_apitoken_for_proxy_test';

/** The loopback CONNECT proxy that alone knows FAKE_HOST. */
const startProxy = () => startConnectProxy(FAKE_HOST);

/** A minimal NCS answering the project list, recording each request's Host. */
async function startNcs(): Promise<{ port: number; hosts: string[]; close(): Promise<void> }> {
  const hosts: string[] = [];
  const server = http.createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { code: 'unauthenticated', message: 'Sign in first.' } }));
      return;
    }
    res.end(JSON.stringify({ items: [], nextCursor: null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hosts,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let proxy: TestProxy;
let ncs: Awaited<ReturnType<typeof startNcs>>;
let config: ReturnType<typeof tempConfigDir>;

beforeAll(async () => {
  proxy = await startProxy();
  ncs = await startNcs();
  config = tempConfigDir();
});
afterEach(() => {
  proxy.connects.length = 0;
  ncs.hosts.length = 0;
});
afterAll(async () => {
  await proxy.close();
  await ncs.close();
  config.cleanup();
});

describe('proxies for the NCS server', () => {
  it('reaches a non-loopback server through the CONNECT proxy named by HTTP_PROXY', async () => {
    const server = `http://${FAKE_HOST}:${ncs.port}`;
    const result = await runNcs(['projects', 'list', '--json', '--insecure'], {
      env: { NCS_SERVER: server, NCS_TOKEN: TOKEN, NCS_CONFIG_DIR: config.dir, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(proxy.connects).toEqual([`${FAKE_HOST}:${ncs.port}`]);
    expect(ncs.hosts).toEqual([`${FAKE_HOST}:${ncs.port}`]);
  });

  it('names the proxy in the --verbose trace', async () => {
    const result = await runNcs(['projects', 'list', '--json', '--insecure', '--verbose'], {
      env: { NCS_SERVER: `http://${FAKE_HOST}:${ncs.port}`, NCS_TOKEN: TOKEN, NCS_CONFIG_DIR: config.dir, http_proxy: proxy.url },
    });
    expect(result.stderr).toContain(`(through proxy ${proxy.url})`);
  });

  it('goes direct for a host in NO_PROXY (and so fails here: only the proxy knows the name)', async () => {
    const result = await runNcs(['projects', 'list', '--json', '--insecure'], {
      env: { NCS_SERVER: `http://${FAKE_HOST}:${ncs.port}`, NCS_TOKEN: TOKEN, NCS_CONFIG_DIR: config.dir, HTTP_PROXY: proxy.url, NO_PROXY: '.proxied.test' },
    });
    expect(result.exitCode).toBe(7);
    expect(JSON.parse(result.stderr).error.code).toBe('server_unreachable');
    expect(proxy.connects).toEqual([]);
  });

  it('never proxies a loopback server, even when NO_PROXY does not list it', async () => {
    const result = await runNcs(['projects', 'list', '--json'], {
      env: { NCS_SERVER: `http://127.0.0.1:${ncs.port}`, NCS_TOKEN: TOKEN, NCS_CONFIG_DIR: config.dir, HTTP_PROXY: proxy.url, NO_PROXY: 'example.com' },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(proxy.connects).toEqual([]);
    expect(ncs.hosts).toEqual([`127.0.0.1:${ncs.port}`]);
  });

  it('a proxy that refuses the tunnel → exit 7, not a crash', async () => {
    const result = await runNcs(['projects', 'list', '--json', '--insecure'], {
      env: { NCS_SERVER: 'http://elsewhere.test:1', NCS_TOKEN: TOKEN, NCS_CONFIG_DIR: config.dir, HTTP_PROXY: proxy.url },
    });
    expect(result.exitCode).toBe(7);
    expect(proxy.connects).toContain('elsewhere.test:1');
  });

  it.each([
    ['https://ncs.example.com', { HTTPS_PROXY: 'http://proxy:3128' }, 'http://proxy:3128'],
    ['https://ncs.example.com', { HTTP_PROXY: 'http://proxy:3128' }, ''],
    ['https://ncs.example.com', { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'ncs.example.com' }, ''],
    ['http://localhost:8080', { HTTP_PROXY: 'http://proxy:3128' }, ''],
    ['https://ncs.example.com', {}, ''],
  ])('proxyForUrl(%s, %j) is %j and leaves process.env alone', async (url, env, expected) => {
    const before = { ...process.env };
    expect(await proxyForUrl(url, env)).toBe(expected);
    expect({ ...process.env }).toEqual(before);
  });
});
