// The NCS server address: parsed, reduced to its origin, and refused over plain http:// beyond loopback.
import { isLoopbackHost } from './api/proxy.js';
import { CliError } from './errors.js';

/**
 * Parses a server address into its origin (`https://host[:port]`). A bare host name means https://.
 * A path is refused rather than dropped: the CLI keys the session by origin and calls `/api/v1` on it.
 */
export function parseServerUrl(input: string, options: { insecure: boolean }): string {
  const trimmed = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError('invalid_server_url', { message: `"${input}" is not a valid NCS server address.` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError('invalid_server_url', { message: `The NCS server address must start with https:// (got ${url.protocol}//).` });
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new CliError('invalid_server_url', {
      message: `Give the NCS server without a path, query or credentials: ${url.origin} rather than ${input}.`,
      hint: `Run the command again with \`--server ${url.origin}\`.`,
    });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !options.insecure) {
    throw new CliError('insecure_server', {
      message: `Refusing to send credentials to ${url.origin} over plain http://: only loopback addresses may use http.`,
      hint: `Use https://${url.host}, or add --insecure if you accept that passwords and tokens cross the network in clear.`,
    });
  }
  return url.origin;
}
