// Outbound proxy choice per request URL: HTTPS_PROXY / HTTP_PROXY / NO_PROXY through proxy-from-env, loopback never.
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';
import { isLoopbackHost, selectProxy } from '../core/proxy.js';

export interface RequestAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

export { isLoopbackHost };

/** The proxy URL for a request, or '' for a direct connection. */
export function proxyForUrl(url: string, env: NodeJS.ProcessEnv): string {
  return selectProxy(url, env, getProxyForUrl);
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
