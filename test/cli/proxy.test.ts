// SPEC 6.5 without msw: the CLI reaches the NCS server through a real loopback CONNECT proxy; loopback never through it.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { proxyForUrl } from '../../src/cli/api/proxy.js';
import { runNcs, tempConfigDir } from './harness.js';

/** A host name only the test proxy knows: a request to it can only succeed through the proxy. */
const FAKE_HOST = 'ncs.proxied.test';
const TOKEN = 'ncs_t_apitoken_for_proxy_test';

interface TestProxy {
  url: string;
  connects: string[];
  close(): Promise<void>;
}

async function startProxy(): Promise<TestProxy> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = http.createServer((_req, res) => res.writeHead(405).end('CONNECT only'));
  proxy.on('connect', (req: http.IncomingMessage, clientSocket: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    sockets.add(clientSocket);
    const [host, port] = (req.url ?? '').split(':');
    if (host !== FAKE_HOST) {
      clientSocket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(port), '127.0.0.1', () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(clientSocket);
      clientSocket.pipe(upstream);
    });
    sockets.add(upstream);
    const destroyBoth = () => {
      upstream.destroy();
      clientSocket.destroy();
    };
    upstream.on('error', destroyBoth);
    clientSocket.on('error', destroyBoth);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

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
