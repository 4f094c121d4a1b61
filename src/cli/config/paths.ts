// Where the CLI keeps its configuration: NCS_CONFIG_DIR, else the platform's per-user config directory.
import path from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The platform conventions of env-paths (which conf uses), without its `-nodejs` suffix:
 * Linux `$XDG_CONFIG_HOME/ncs` (default `~/.config/ncs`), macOS `~/Library/Preferences/ncs`,
 * Windows `%APPDATA%\ncs\Config`.
 */
export function configDirFor(platform: NodeJS.Platform, env: Env, homeDir: string): string {
  if (env.NCS_CONFIG_DIR) return platform === 'win32' ? path.win32.resolve(env.NCS_CONFIG_DIR) : path.posix.resolve(env.NCS_CONFIG_DIR);
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(homeDir, 'AppData', 'Roaming');
    return path.win32.join(appData, 'ncs', 'Config');
  }
  if (platform === 'darwin') return path.posix.join(homeDir, 'Library', 'Preferences', 'ncs');
  const xdg = env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(homeDir, '.config');
  return path.posix.join(xdg, 'ncs');
}

/** Joins inside a directory with the separator of the platform the directory belongs to. */
export function joinFor(platform: NodeJS.Platform, dir: string, name: string): string {
  return platform === 'win32' ? path.win32.join(dir, name) : path.posix.join(dir, name);
}
