// The dependencies of every command, built once and lazily, each replaceable by a fake in tests (SPEC 2).
import os from 'node:os';
import type { NcsApiClient, TokenSource } from './api/client.js';
import type { HttpTransport, TransportOptions } from './api/http.js';
import { configDirFor, joinFor, type Env } from './config/paths.js';
import { createConfigStore, serverSettings, type ConfigStore } from './config/store.js';
import type { CredentialStore } from './credentials/store.js';
import type { KeychainBackend } from './credentials/keychain.js';
import { CliError } from './errors.js';
import { createBrowserOpener } from './browser/opener.js';
import { createIo, processTerminal, type IoStreams, type Terminal } from './io.js';
import { parseServerUrl } from './server-url.js';

/** Options every command accepts (SPEC 6.1). */
export interface GlobalOptions {
  server?: string;
  json: boolean;
  /** False with `--no-color`. */
  color: boolean;
  verbose: boolean;
  insecure: boolean;
}

export interface Clock {
  now(): Date;
}

/** Opens a URL in the user's browser, for the reconnect flow (SPEC 6.2 step 3); see ./browser/opener.ts. */
export interface BrowserOpener {
  /** Whether opening can work here: false with no display or over SSH. */
  canOpen(): boolean;
  /** Why it cannot, in words for the terminal ("this is an SSH session"); undefined when it can. */
  unavailableReason?(): string | undefined;
  open(url: string): Promise<void>;
}

/** Runs instead of a command's behaviour: the seam of the flags→options tests. */
export type RunOverride = (command: string, options: unknown) => Promise<number | void>;

export interface FactoryInit {
  terminal?: Terminal;
  env?: Env;
  platform?: NodeJS.Platform;
  homeDir?: string;
  clock?: Clock;
  version?: string;
  config?: ConfigStore;
  keychain?: KeychainBackend;
  credentials?: CredentialStore;
  transport?: (options: TransportOptions) => HttpTransport;
  browser?: BrowserOpener;
  runOverride?: RunOverride;
}

/** What a command's behaviour receives; everything costly is a function called on first use. */
export interface CommandContext {
  readonly globals: GlobalOptions;
  readonly io: IoStreams;
  readonly env: Env;
  readonly platform: NodeJS.Platform;
  readonly clock: Clock;
  readonly version: string;
  config(): ConfigStore;
  credentials(): Promise<CredentialStore>;
  /** The server to use: `--server`, then NCS_SERVER, then the default remembered by `ncs login`. */
  serverOrigin(): string;
  /** `serverOrigin()` or undefined when none is configured. */
  maybeServerOrigin(): string | undefined;
  /** A client for `serverOrigin()` with NCS_TOKEN or the stored session; not signed in is exit 3. */
  apiClient(): Promise<NcsApiClient>;
  /** A client for a given server without a token (sign-in) or with one (sign-out). */
  clientFor(origin: string, token?: string, tokenSource?: TokenSource): Promise<NcsApiClient>;
  browser(): BrowserOpener;
  /** Releases sockets (proxy tunnels) at the end of the command. */
  close(): void;
}

export interface Factory {
  readonly init: FactoryInit;
  readonly runOverride?: RunOverride;
  context(globals: GlobalOptions): CommandContext;
}

const REQUEST_TIMEOUT_MS = 30_000;

export function createFactory(init: FactoryInit = {}): Factory {
  return {
    init,
    runOverride: init.runOverride,
    context: (globals) => createContext(init, globals),
  };
}

function createContext(init: FactoryInit, globals: GlobalOptions): CommandContext {
  const env: Env = init.env ?? process.env;
  const platform = init.platform ?? process.platform;
  const clock = init.clock ?? { now: () => new Date() };
  const version = init.version ?? '0.0.0';
  const io = createIo(init.terminal ?? processTerminal(), { json: globals.json, noColor: !globals.color, env });
  const clients: NcsApiClient[] = [];

  let config: ConfigStore | undefined;
  const getConfig = () => {
    if (!config) {
      if (init.config) config = init.config;
      else {
        const dir = configDirFor(platform, env, init.homeDir ?? os.homedir());
        config = createConfigStore(dir, joinFor(platform, dir, 'config.json'));
      }
    }
    return config;
  };

  let credentials: Promise<CredentialStore> | undefined;
  const getCredentials = () =>
    (credentials ??= (async () => {
      if (init.credentials) return init.credentials;
      const [{ createCredentialStore }, { fileCredentials }, { napiKeychain }] = await Promise.all([
        import('./credentials/store.js'),
        import('./credentials/file-store.js'),
        import('./credentials/keychain.js'),
      ]);
      const store = getConfig();
      return createCredentialStore({
        env,
        config: store,
        keychain: init.keychain ?? napiKeychain({ platform, env }),
        file: fileCredentials(joinFor(platform, store.dir, 'credentials.json')),
        now: () => clock.now(),
      });
    })());

  const maybeServerOrigin = (): string | undefined => {
    const explicit = globals.server ?? (env.NCS_SERVER || undefined);
    if (explicit !== undefined) return parseServerUrl(explicit, { insecure: globals.insecure });
    const remembered = getConfig().read().defaultServer;
    if (!remembered) return undefined;
    // `ncs login --insecure` remembered that this http:// server was accepted on purpose.
    const insecure = globals.insecure || serverSettings(getConfig().read(), remembered).allowInsecure === true;
    return parseServerUrl(remembered, { insecure });
  };

  const serverOrigin = (): string => {
    const origin = maybeServerOrigin();
    if (origin) return origin;
    if (env.NCS_TOKEN) {
      throw new CliError('usage', { message: 'NCS_TOKEN is set, but no NCS server is named.', hint: 'Set NCS_SERVER or pass --server https://ncs.example.com.' });
    }
    throw new CliError('not_signed_in', { message: 'You are not signed in to any NCS server.' });
  };

  const clientFor = async (origin: string, token?: string, tokenSource: TokenSource = token ? 'session' : 'none') => {
    const [{ NcsApiClient }, { createHttpTransport }, tracer] = await Promise.all([
      import('./api/client.js'),
      init.transport ? Promise.resolve({ createHttpTransport: init.transport }) : import('./api/http.js'),
      globals.verbose ? import('./api/trace.js').then((m) => m.createTracer(io.stderr)) : Promise.resolve(undefined),
    ]);
    const transport = createHttpTransport({
      origin,
      env,
      userAgent: `ncs/${version} node/${process.versions.node} (${platform})`,
      timeoutMs: REQUEST_TIMEOUT_MS,
      tracer,
    });
    const client = new NcsApiClient({ origin, transport, token, tokenSource });
    clients.push(client);
    return client;
  };

  let browser: BrowserOpener | undefined;
  const getBrowser = () => (browser ??= init.browser ?? createBrowserOpener({ platform, env }));

  let apiClient: Promise<NcsApiClient> | undefined;
  const getApiClient = () =>
    (apiClient ??= (async () => {
      const origin = serverOrigin();
      if (env.NCS_TOKEN) return clientFor(origin, env.NCS_TOKEN, 'env');
      const session = await (await getCredentials()).get(origin);
      if (!session) throw new CliError('not_signed_in', { message: `You are not signed in to ${origin}.`, hint: `Run \`ncs login --server ${origin}\`.` });
      return clientFor(origin, session.token, 'session');
    })());

  return {
    globals,
    io,
    env,
    platform,
    clock,
    version,
    config: getConfig,
    credentials: getCredentials,
    serverOrigin,
    maybeServerOrigin,
    apiClient: getApiClient,
    clientFor,
    browser: getBrowser,
    close: () => {
      for (const client of clients) client.close();
    },
  };
}
