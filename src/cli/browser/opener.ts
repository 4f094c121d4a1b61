// Opens the Procore sign-in page: the platform's opener through `open`, or the command in NCS_BROWSER; says why not when it cannot.
import type { Env } from '../config/paths.js';
import type { BrowserOpener } from '../factory.js';

/**
 * Why no browser can be opened for the person at the keyboard, or undefined when one can. Over SSH a
 * browser would open (if at all) on the remote machine; on Linux and the BSDs a graphical browser
 * needs an X11 or Wayland display. Windows and macOS always have one, and so does WSL (`open` hands
 * the URL to Windows).
 */
export function browserUnavailableReason(platform: NodeJS.Platform, env: Env): string | undefined {
  if (env.SSH_CONNECTION || env.SSH_TTY) return 'this is an SSH session';
  if (platform === 'win32' || platform === 'darwin') return undefined;
  if (env.WSL_DISTRO_NAME || env.WSL_INTEROP) return undefined;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return undefined;
  return 'there is no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

/**
 * Splits a command line into words: spaces separate them; single or double quotes keep spaces in one
 * word; a backslash outside single quotes escapes the next character (but stays as it is before
 * anything else, so that Windows paths survive).
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (char === '\\' && /[\s"'\\]/.test(text[i + 1] ?? '')) {
      word += text[++i];
      inWord = true;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Starts `command` with arguments and does not wait for it; rejects when it could not be started at all. */
export type LaunchCommand = (command: string, args: string[]) => Promise<void>;
/** Opens a URL with the platform's own opener (`open`: xdg-open, macOS `open`, PowerShell `Start-Process`). */
export type OpenWithSystem = (url: string) => Promise<void>;

export interface BrowserOpenerDeps {
  platform: NodeJS.Platform;
  env: Env;
  openWithSystem?: OpenWithSystem;
  launchCommand?: LaunchCommand;
}

export const launchDetached: LaunchCommand = async (command, args) => {
  const { spawn } = await import('node:child_process');
  const child = spawn(command, args, { stdio: 'ignore', detached: process.platform !== 'win32', windowsHide: true });
  // A child that could not be started has no pid; the error event follows on the next tick.
  child.on('error', () => undefined);
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  child.unref();
};

export const openWithOpenPackage: OpenWithSystem = async (url) => {
  const { default: open } = await import('open');
  const child = await open(url, { wait: false });
  child.on('error', () => undefined);
  if (child.pid === undefined && child.exitCode === null) throw new Error('the system opener could not be started');
};

/**
 * The opener of `ncs reconnect`. NCS_BROWSER, when set, is the command that opens the URL (given as its
 * last argument), as BROWSER is for many tools and GH_BROWSER for GitHub's CLI: it is used even without
 * a display or over SSH, because the person chose it (a browser wrapper, a remote-open helper, or the
 * scripted browser of the integration tests).
 */
export function createBrowserOpener(deps: BrowserOpenerDeps): BrowserOpener {
  const command = deps.env.NCS_BROWSER?.trim() ? splitCommandLine(deps.env.NCS_BROWSER.trim()) : undefined;
  const unavailableReason = () => (command ? undefined : browserUnavailableReason(deps.platform, deps.env));
  return {
    canOpen: () => unavailableReason() === undefined,
    unavailableReason,
    async open(url) {
      if (command && command.length > 0) {
        await (deps.launchCommand ?? launchDetached)(command[0], [...command.slice(1), url]);
        return;
      }
      await (deps.openWithSystem ?? openWithOpenPackage)(url);
    },
  };
}
