// Proxies for the NCS server (SPEC 6.5): HTTPS_PROXY / HTTP_PROXY / NO_PROXY through proxy-from-env, loopback never.
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { isLoopbackHost, proxyConfigured, selectProxy } from '../../core/proxy.js';

export interface RequestAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

export { isLoopbackHost, proxyConfigured };

/** The proxy URL for a request, or '' for a direct connection; proxy-from-env is loaded only when a proxy is set. */
export async function proxyForUrl(url: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (isLoopbackHost(new URL(url).hostname) || !proxyConfigured(env)) return '';
  const { getProxyForUrl } = await import('proxy-from-env');
  return selectProxy(url, env, getProxyForUrl);
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
