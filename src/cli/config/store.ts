// The CLI's configuration (default server, last username and credential store per server): read fast, written through conf.
import { readFileSync } from 'node:fs';
import { CliError } from '../errors.js';

export type CredentialStoreKind = 'keychain' | 'file';

export interface ServerSettings {
  lastUsername?: string;
  /** Where `ncs login` put this server's session token, so that later commands look there first. */
  credentialStore?: CredentialStoreKind;
  /** `ncs login --insecure` accepted this plain http:// server on purpose; later commands need not repeat it. */
  allowInsecure?: boolean;
}

export interface CliConfig {
  defaultServer?: string;
  /** Keyed by server origin. */
  servers?: Record<string, ServerSettings>;
  /** The "token stored in a file" notice was shown once; SPEC 6.4 says it once. */
  fileStoreNoticeGiven?: boolean;
}

export interface ConfigStore {
  readonly dir: string;
  readonly path: string;
  read(): CliConfig;
  update(change: (config: CliConfig) => CliConfig): Promise<void>;
}

export function serverSettings(config: CliConfig, origin: string): ServerSettings {
  return config.servers?.[origin] ?? {};
}

export function withServerSettings(config: CliConfig, origin: string, change: Partial<ServerSettings>): CliConfig {
  return { ...config, servers: { ...config.servers, [origin]: { ...config.servers?.[origin], ...change } } };
}

/**
 * conf's file is plain JSON (`config.json` in `dir`). Reading it directly keeps conf (and its schema
 * validator) out of every command that only reads, which is nearly all of them; writes go through conf,
 * which writes atomically.
 */
export function createConfigStore(dir: string, filePath: string): ConfigStore {
  return {
    dir,
    path: filePath,
    read(): CliConfig {
      let text: string;
      try {
        text = readFileSync(filePath, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw new CliError('config_error', { message: `Cannot read the configuration file ${filePath}: ${(err as Error).message}`, cause: err });
      }
      try {
        const parsed: unknown = JSON.parse(text);
        return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as CliConfig) : {};
      } catch (err) {
        throw new CliError('config_error', {
          message: `The configuration file ${filePath} is not valid JSON.`,
          hint: `Fix or delete ${filePath}, then run \`ncs login\` again.`,
          cause: err,
        });
      }
    },
    async update(change) {
      const next = change(this.read());
      const { default: Conf } = await import('conf');
      const conf = new Conf<CliConfig>({ cwd: dir, configName: 'config', accessPropertiesByDotNotation: false, clearInvalidConfig: false });
      conf.store = next;
    },
  };
}

/** A configuration held in memory (tests, and a fallback that never touches disk). */
export function memoryConfigStore(initial: CliConfig = {}, dir = '/nonexistent/ncs'): ConfigStore & { current: CliConfig } {
  const store = {
    dir,
    path: `${dir}/config.json`,
    current: structuredClone(initial),
    read: () => structuredClone(store.current),
    update: async (change: (config: CliConfig) => CliConfig) => {
      store.current = change(structuredClone(store.current));
    },
  };
  return store;
}
