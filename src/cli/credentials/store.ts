// Where the NCS session token lives (SPEC 6.4): the OS keychain when one works, else a 0600 file; NCS_CREDENTIAL_STORE forces one.
import type { Env } from '../config/paths.js';
import { serverSettings, withServerSettings, type ConfigStore, type CredentialStoreKind } from '../config/store.js';
import { CliError } from '../errors.js';
import type { FileCredentials } from './file-store.js';
import type { KeychainBackend } from './keychain.js';

export interface CredentialLocation {
  kind: CredentialStoreKind;
  /** For people: "Secret Service (service "ncs", account "https://…")" or "file /home/…/credentials.json". */
  description: string;
}

export interface StoredSession {
  token: string;
  location: CredentialLocation;
}

export interface CredentialStore {
  get(origin: string): Promise<StoredSession | undefined>;
  /** Stores the token; `notice` is the one-time "stored in a file" message for stderr, when due. */
  set(origin: string, token: string): Promise<{ location: CredentialLocation; notice?: string }>;
  /** Removes the token from wherever it is; true when there was one. */
  delete(origin: string): Promise<boolean>;
  /** Fails now (before signing in) when the token could not be stored: NCS_CREDENTIAL_STORE=keychain without one. */
  ensureUsable(): Promise<void>;
}

export interface CredentialStoreDeps {
  env: Env;
  config: ConfigStore;
  keychain: KeychainBackend;
  file: FileCredentials;
  now: () => Date;
}

/** NCS_CREDENTIAL_STORE: `file`, `keychain`, or unset (automatic). */
export function forcedStore(env: Env): CredentialStoreKind | undefined {
  const value = env.NCS_CREDENTIAL_STORE?.trim().toLowerCase();
  if (!value) return undefined;
  if (value === 'file' || value === 'keychain') return value;
  throw new CliError('config_error', {
    message: `NCS_CREDENTIAL_STORE must be "file" or "keychain", not "${env.NCS_CREDENTIAL_STORE}".`,
    hint: 'Unset NCS_CREDENTIAL_STORE to let ncs choose, or set it to `file` or `keychain`.',
  });
}

export function createCredentialStore(deps: CredentialStoreDeps): CredentialStore {
  const { config, keychain, file } = deps;

  const locationOf = (kind: CredentialStoreKind, origin: string): CredentialLocation =>
    kind === 'keychain'
      ? { kind, description: `${keychain.name} (service "ncs", account "${origin}")` }
      : { kind, description: `file ${file.path} (readable only by you)` };

  async function requireKeychain(): Promise<void> {
    if (!(await keychain.available())) {
      throw new CliError('keychain_unavailable', { message: `NCS_CREDENTIAL_STORE=keychain, but the ${keychain.name} does not answer here.` });
    }
  }

  async function fromKeychain(origin: string): Promise<StoredSession | undefined> {
    const token = await keychain.get(origin);
    return token ? { token, location: locationOf('keychain', origin) } : undefined;
  }

  async function fromFile(origin: string): Promise<StoredSession | undefined> {
    const token = await file.get(origin);
    return token ? { token, location: locationOf('file', origin) } : undefined;
  }

  async function keychainSet(origin: string, token: string, forced: boolean): Promise<boolean> {
    try {
      await keychain.set(origin, token);
      return true;
    } catch (err) {
      if (forced) throw new CliError('keychain_unavailable', { message: `The ${keychain.name} refused to store the session token: ${(err as Error).message}`, cause: err });
      return false;
    }
  }

  return {
    async get(origin) {
      const forced = forcedStore(deps.env);
      if (forced === 'file') return fromFile(origin);
      if (forced === 'keychain') {
        await requireKeychain();
        return fromKeychain(origin);
      }
      const recorded = serverSettings(config.read(), origin).credentialStore;
      if (recorded === 'file') return fromFile(origin);
      if (recorded === 'keychain') {
        if (!(await keychain.available())) {
          throw new CliError('not_signed_in', {
            message: `Your session for ${origin} is in the ${keychain.name}, which does not answer here.`,
            hint: `Run \`ncs login --server ${origin}\` in this session, or set NCS_TOKEN to an API token.`,
          });
        }
        return fromKeychain(origin);
      }
      // No record (the config was removed): look in both, the file first as it costs nothing to ask.
      return (await fromFile(origin)) ?? ((await keychain.available()) ? fromKeychain(origin) : undefined);
    },

    async set(origin, token) {
      const forced = forcedStore(deps.env);
      let kind: CredentialStoreKind = 'file';
      if (forced === 'keychain') {
        await requireKeychain();
        await keychainSet(origin, token, true);
        kind = 'keychain';
      } else if (forced !== 'file' && (await keychain.available()) && (await keychainSet(origin, token, false))) {
        kind = 'keychain';
      }
      if (kind === 'file') await file.set(origin, token, deps.now());
      else await file.delete(origin); // no stale copy of an older session left behind in the file

      const current = config.read();
      const noticeDue = kind === 'file' && !current.fileStoreNoticeGiven;
      await config.update((c) => ({
        ...withServerSettings(c, origin, { credentialStore: kind }),
        ...(noticeDue ? { fileStoreNoticeGiven: true } : {}),
      }));
      const location = locationOf(kind, origin);
      const reason = forced === 'file' ? 'NCS_CREDENTIAL_STORE=file' : `no working OS keychain (${keychain.name}) was found`;
      return {
        location,
        ...(noticeDue
          ? { notice: `Note: ${reason}, so the session token is stored in ${file.path}, readable only by you. This note is shown once.` }
          : {}),
      };
    },

    async ensureUsable() {
      if (forcedStore(deps.env) === 'keychain') await requireKeychain();
    },

    async delete(origin) {
      const recorded = serverSettings(config.read(), origin).credentialStore;
      let removed = await file.delete(origin);
      if (recorded === 'keychain' || (recorded === undefined && (await keychain.available()))) {
        if (await keychain.available()) removed = (await keychain.delete(origin)) || removed;
      }
      if (recorded) await config.update((c) => withServerSettings(c, origin, { credentialStore: undefined }));
      return removed;
    },
  };
}
