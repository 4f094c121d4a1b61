// Outbound proxy choice per request URL: HTTPS_PROXY / HTTP_PROXY / NO_PROXY through proxy-from-env, loopback never.
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';

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

/**
 * The proxy URL for a request, or '' for a direct connection.
 * proxy-from-env@1 reads only `process.env`; to honour an injected environment we install its proxy
 * variables for the duration of the (synchronous) call and restore them in `finally`, so no other code
 * can observe the swap. proxy-from-env's own rule is "lower case wins over upper case", kept here.
 */
export function proxyForUrl(url: string, env: NodeJS.ProcessEnv): string {
  if (isLoopbackHost(new URL(url).hostname)) return '';
  if (env === process.env) return getProxyForUrl(url);
  const saved = PROXY_VARIABLES.flatMap((name) => [name, name.toUpperCase()]).map(
    (name) => [name, process.env[name]] as const,
  );
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
 * Builds (once per proxy URL) the hpagent agents for a request URL, or undefined for a direct
 * connection with Node's global agents. Both agents tunnel with CONNECT; TLS to Procore is verified
 * against Node's CA store, so NODE_EXTRA_CA_CERTS applies unchanged.
 */
export function createProxyAgents(env: NodeJS.ProcessEnv) {
  const byProxy = new Map<string, RequestAgents>();
  return {
    agentsFor(url: string): RequestAgents | undefined {
      const proxy = proxyForUrl(url, env);
      if (!proxy) return undefined;
      let agents = byProxy.get(proxy);
      if (!agents) {
        // keepAlive: a sync round makes thousands of calls; one CONNECT per call would double the latency.
        const options = { proxy, keepAlive: true, maxSockets: 16 };
        agents = { http: new HttpProxyAgent(options), https: new HttpsProxyAgent(options) };
        byProxy.set(proxy, agents);
      }
      return agents;
    },
    /** Closes the kept-alive tunnels (server shutdown, tests). */
    destroy(): void {
      for (const agents of byProxy.values()) {
        agents.http.destroy();
        agents.https.destroy();
      }
      byProxy.clear();
    },
  };
}
