// The browser opener of `ncs reconnect` (SPEC 6.2 item 3) on each platform, with the platform and its environment injected.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { browserUnavailableReason, createBrowserOpener, launchDetached, splitCommandLine } from '../../src/cli/browser/opener.js';

describe('whether a browser can be opened here', () => {
  it.each([
    ['win32', {}, undefined],
    ['darwin', {}, undefined],
    ['linux', { DISPLAY: ':0' }, undefined],
    ['linux', { WAYLAND_DISPLAY: 'wayland-0' }, undefined],
    ['freebsd', { DISPLAY: ':0' }, undefined],
    ['linux', { WSL_DISTRO_NAME: 'Ubuntu' }, undefined],
    ['linux', {}, /no graphical display/],
    ['freebsd', {}, /no graphical display/],
    ['linux', { DISPLAY: ':0', SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' }, /SSH/],
    ['darwin', { SSH_TTY: '/dev/ttys001' }, /SSH/],
    ['win32', { SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' }, /SSH/],
  ] as const)('%s with %j → %s', (platform, env, expected) => {
    const reason = browserUnavailableReason(platform, env);
    if (expected === undefined) expect(reason).toBeUndefined();
    else expect(reason).toMatch(expected);
    expect(createBrowserOpener({ platform, env }).canOpen()).toBe(expected === undefined);
  });
});

describe('opening', () => {
  it.each(['win32', 'darwin', 'linux'] as const)('on %s hands the URL to the system opener (`open`)', async (platform) => {
    const opened: string[] = [];
    const opener = createBrowserOpener({
      platform,
      env: { DISPLAY: ':0' },
      openWithSystem: async (url) => void opened.push(url),
      launchCommand: async () => {
        throw new Error('not this way');
      },
    });
    await opener.open('https://login.procore.com/oauth/authorize?state=s');
    expect(opened).toEqual(['https://login.procore.com/oauth/authorize?state=s']);
  });

  it('NCS_BROWSER is the command that opens the URL, given as its last argument, even over SSH', async () => {
    const launched: Array<[string, string[]]> = [];
    const opener = createBrowserOpener({
      platform: 'linux',
      env: { NCS_BROWSER: '"/opt/my browser/run" --new-window', SSH_CONNECTION: 'x' },
      openWithSystem: async () => {
        throw new Error('not this way');
      },
      launchCommand: async (command, args) => void launched.push([command, args]),
    });
    expect(opener.canOpen()).toBe(true);
    await opener.open('https://login.procore.com/x');
    expect(launched).toEqual([['/opt/my browser/run', ['--new-window', 'https://login.procore.com/x']]]);
  });

  it.each([
    ['node script.mjs', ['node', 'script.mjs']],
    ['"C:\\Program Files\\Browser\\b.exe" --x', ['C:\\Program Files\\Browser\\b.exe', '--x']],
    ["open -a 'Google Chrome'", ['open', '-a', 'Google Chrome']],
    ['a\\ b  c', ['a b', 'c']],
    ['""', ['']],
  ])('splits %j into %j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });

  describe('launching a real command', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('starts it without waiting and passes the URL untouched (no shell)', async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'ncs-opener-'));
      const out = path.join(dir, 'url.txt');
      const url = 'https://login.example/a?b=1&c=$(touch /tmp/x);d';
      await launchDetached(process.execPath, ['-e', `require('node:fs').writeFileSync(${JSON.stringify(out)}, process.argv[1])`, url]);
      await expect.poll(() => existsSync(out) && readFileSync(out, 'utf8'), { timeout: 15_000 }).toBe(url);
    });

    it('rejects when the command does not exist', async () => {
      await expect(launchDetached('/nonexistent/browser', ['https://x.example'])).rejects.toThrow(/cannot start/);
    });
  });
});
