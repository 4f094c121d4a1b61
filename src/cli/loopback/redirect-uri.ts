// The loopback redirect URIs the CLI may listen on (SPEC 6.2 step 1): which addresses, which port, which path, which Host.
import { OOB_REDIRECT_URI } from '../../core/api.js';
import { CliError } from '../errors.js';

export type LoopbackAddress = '127.0.0.1' | '::1';

export interface LoopbackRedirect {
  /** As the server listed it; sent back unchanged, since OAuth compares redirect URIs as strings. */
  uri: string;
  hostname: 'localhost' | '127.0.0.1' | '[::1]';
  port: number;
  /** The exact path a callback must arrive on. */
  path: string;
  /** `localhost` is both loopback families; an IP literal is that address only. Never all interfaces. */
  addresses: LoopbackAddress[];
  /** The Host header a browser sends for this URI (lower case). */
  hostHeader: string;
}

const ADDRESSES: Record<LoopbackRedirect['hostname'], LoopbackAddress[]> = {
  localhost: ['127.0.0.1', '::1'],
  '127.0.0.1': ['127.0.0.1'],
  '[::1]': ['::1'],
};

/** Ports below this need privileges, and a listener there would be somebody else's service. */
const FIRST_UNPRIVILEGED_PORT = 1024;

function configError(uri: string, why: string): CliError {
  return new CliError('config_error', {
    message: `The NCS server lists "${uri}" as a CLI redirect URI, but ${why}.`,
    hint: 'The NCS administrator must set PROCORE_CLI_REDIRECT_URIS to http://localhost:PORT/PATH entries (or 127.0.0.1 / [::1]) with ports of 1024 or above, registered with the Procore app; meanwhile `ncs reconnect --oob` works without them.',
  });
}

export function parseLoopbackRedirectUri(uri: string): LoopbackRedirect {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw configError(uri, 'it is not a URL');
  }
  if (url.protocol !== 'http:') throw configError(uri, 'a loopback listener speaks plain http://');
  if (!(url.hostname in ADDRESSES)) throw configError(uri, 'its host is not localhost, 127.0.0.1 or [::1]');
  if (url.username || url.password) throw configError(uri, 'it carries a user name or password');
  // URL drops a default port (":80"), so an empty port is "none given" or 80: either way not usable.
  if (!url.port) throw configError(uri, 'it names no port');
  const port = Number(url.port);
  if (port < FIRST_UNPRIVILEGED_PORT) throw configError(uri, `its port ${port} is below ${FIRST_UNPRIVILEGED_PORT}`);
  if (url.hash) throw configError(uri, 'it has a fragment');
  const hostname = url.hostname as LoopbackRedirect['hostname'];
  return { uri, hostname, port, path: url.pathname, addresses: ADDRESSES[hostname], hostHeader: `${hostname}:${port}` };
}

/** Every usable loopback redirect URI, in the server's order; the out-of-band URN is for `--oob` only. */
export function loopbackRedirects(uris: readonly string[]): LoopbackRedirect[] {
  const redirects = uris.filter((uri) => uri !== OOB_REDIRECT_URI).map(parseLoopbackRedirectUri);
  if (redirects.length === 0) {
    throw new CliError('config_error', {
      message: 'The NCS server lists no loopback redirect URI for the CLI.',
      hint: 'Use `ncs reconnect --oob`, or ask the NCS administrator to set PROCORE_CLI_REDIRECT_URIS.',
    });
  }
  return redirects;
}
