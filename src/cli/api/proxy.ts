// Proxies for the NCS server (SPEC 6.5): HTTPS_PROXY / HTTP_PROXY / NO_PROXY through proxy-from-env, loopback never.
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';

export interface RequestAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

/** The variables proxy-from-env@1 reads, each in both cases. */
const PROXY_VARIABLES = [
  'http_proxy',
  'https_proxy',
  'all_proxy',
  'no_proxy',
  'npm_config_http_proxy',
  'npm_config_https_proxy',
  'npm_config_proxy',
  'npm_config_no_proxy',
];

/** localhost (and *.localhost, RFC 6761), 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = host.replace(/^::ffff:/, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** True when no proxy variable is set: then proxy-from-env and hpagent are never loaded. */
export function proxyConfigured(env: Readonly<Record<string, string | undefined>>): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(env[name] || env[name.toUpperCase()]));
}

/**
 * The proxy URL for a request, or '' for a direct connection. proxy-from-env@1 reads only `process.env`,
 * so an injected environment is installed for the (synchronous) call and restored in `finally`.
 */
export async function proxyForUrl(url: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (isLoopbackHost(new URL(url).hostname) || !proxyConfigured(env)) return '';
  const { getProxyForUrl } = await import('proxy-from-env');
  if (env === process.env) return getProxyForUrl(url);
  const saved = PROXY_VARIABLES.flatMap((name) => [name, name.toUpperCase()]).map((name) => [name, process.env[name]] as const);
  try {
    for (const name of PROXY_VARIABLES) {
      const value = env[name] || env[name.toUpperCase()];
      // Delete first: on Windows both spellings are one variable.
      delete process.env[name.toUpperCase()];
      delete process.env[name];
      if (value) process.env[name] = value;
    }
    return getProxyForUrl(url);
  } finally {
    for (const [name] of saved) delete process.env[name];
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

/**
 * hpagent agents (CONNECT tunnels) for the proxy that serves `url`, or undefined for a direct connection.
 * TLS to the NCS server is verified against Node's CA store inside the tunnel, so NODE_EXTRA_CA_CERTS applies.
 */
export async function proxyAgentsFor(url: string, env: Readonly<Record<string, string | undefined>>): Promise<RequestAgents | undefined> {
  const proxy = await proxyForUrl(url, env);
  if (!proxy) return undefined;
  const { HttpProxyAgent, HttpsProxyAgent } = await import('hpagent');
  // keepAlive: `projects list` follows several pages; one tunnel serves them all.
  const options = { proxy, keepAlive: true, maxSockets: 4 };
  return { http: new HttpProxyAgent(options), https: new HttpsProxyAgent(options) };
}
