// Which outbound proxy serves a URL (SPEC 6.5): HTTPS_PROXY / HTTP_PROXY / NO_PROXY rules, loopback never proxied.

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

type Environment = Readonly<Record<string, string | undefined>>;

/** localhost (and *.localhost, RFC 6761), 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = host.replace(/^::ffff:/, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** True when no proxy variable is set, so callers can skip loading proxy code at all. */
export function proxyConfigured(env: Environment): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(env[name] || env[name.toUpperCase()]));
}

/**
 * The proxy URL for a request, or '' for a direct connection, by proxy-from-env's `getProxyForUrl` (passed in, so
 * that callers load it only when a proxy is configured). proxy-from-env@1 reads only `process.env`: an injected
 * environment is installed for the (synchronous) call and restored in `finally`, so no other code sees the swap.
 */
export function selectProxy(url: string, env: Environment, getProxyForUrl: (url: string) => string): string {
  if (isLoopbackHost(new URL(url).hostname) || !proxyConfigured(env)) return '';
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
