// The OS keychain through @napi-rs/keyring; on Linux pinned to Secret Service so that it never falls back to the kernel keyring.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '../config/paths.js';

export const KEYCHAIN_SERVICE = 'ncs';

/** A keychain the credential store can use; the real one or a fake in tests. */
export interface KeychainBackend {
  /** What the user knows it as: "macOS Keychain", "Windows Credential Manager", "Secret Service". */
  readonly name: string;
  /** Whether it works here; on Linux, whether Secret Service answers. Asked once per process. */
  available(): Promise<boolean>;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export function keychainName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

/** A D-Bus call to a Secret Service that is slow to answer (e.g. waiting for an unlock) must not hang the CLI. */
const KEYCHAIN_TIMEOUT_MS = 5_000;

type KeyringModule = typeof import('@napi-rs/keyring');

export interface NapiKeychainOptions {
  platform: NodeJS.Platform;
  env: Env;
  /** Loads @napi-rs/keyring (the native module); injectable to test the platform paths. */
  load?: () => Promise<KeyringModule>;
  /** Whether a file exists (the session bus socket); injectable for tests. */
  exists?: (file: string) => boolean;
}

/**
 * Linux: Secret Service lives on the D-Bus session bus. Without DBUS_SESSION_BUS_ADDRESS or the
 * systemd user bus socket ($XDG_RUNTIME_DIR/bus) there is nothing to ask (cron, plain SSH), so the
 * native module is not even loaded.
 */
export function sessionBusReachable(env: Env, exists: (file: string) => boolean = existsSync): boolean {
  if (env.DBUS_SESSION_BUS_ADDRESS) return true;
  return Boolean(env.XDG_RUNTIME_DIR && exists(path.posix.join(env.XDG_RUNTIME_DIR, 'bus')));
}

/**
 * The keychain of macOS, Windows or Linux (Secret Service). On Linux every entry is pinned to
 * `secret-service`: the library's default would silently use the kernel's per-login keyring when
 * Secret Service is missing, where the token vanishes at the next SSH login or in cron (SPEC 6.4).
 * The probe is a lookup on such a pinned entry, so it talks to Secret Service only.
 */
export function napiKeychain(options: NapiKeychainOptions): KeychainBackend {
  const { platform } = options;
  const load = options.load ?? (() => import('@napi-rs/keyring'));
  const supported = platform === 'darwin' || platform === 'win32' || platform === 'linux';
  const entryOptions = platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
  let availability: Promise<boolean> | undefined;

  const entry = async (account: string) => {
    const keyring = await load();
    return new keyring.AsyncEntry(KEYCHAIN_SERVICE, account, entryOptions);
  };

  return {
    name: keychainName(platform),
    available() {
      availability ??= (async () => {
        if (!supported) return false;
        if (platform === 'linux' && !sessionBusReachable(options.env, options.exists)) return false;
        try {
          await (await entry('ncs-availability-probe')).getPassword(AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS));
          return true;
        } catch {
          return false;
        }
      })();
      return availability;
    },
    async get(account) {
      return (await entry(account)).getPassword(AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS));
    },
    async set(account, secret) {
      await (await entry(account)).setPassword(secret, AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS));
    },
    async delete(account) {
      return (await entry(account)).deletePassword(AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS));
    },
  };
}

/** A keychain that is never there (platforms without one, tests). */
export const NO_KEYCHAIN: KeychainBackend = {
  name: 'no keychain',
  available: async () => false,
  get: async () => null,
  set: async () => {
    throw new Error('no keychain');
  },
  delete: async () => false,
};
