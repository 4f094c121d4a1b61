// SPEC 8's demo as a user runs it (`ncs-server start --demo`, its own redirect ports through PROCORE_CLI_REDIRECT_URIS),
// and the built `ncs`: reconnecting P-1002 signed in to Procore as jsmith restores P-1002 and P-1003.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, NCS_SERVER_BIN, runBinary, type ChildRun } from '../support/processes.js';
import { NCS_BIN, PERSON_SCRIPT } from './support/world.js';

describe('the demo and the CLI together', { timeout: 180_000 }, () => {
  const runs: ChildRun[] = [];
  let dir: string | undefined;
  afterEach(async () => {
    for (const run of runs) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await Promise.all(runs.map((run) => run.exited));
    runs.length = 0;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ncs-server start --demo registers PROCORE_CLI_REDIRECT_URIS with its Procore app; ncs reconnect P-1002 as jsmith restores P-1002 and P-1003', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ncs-demo-cli-'));
    const [port, emulatorPort, redirectPort] = [await freePort(), await freePort(), await freePort()];
    const demo = runBinary(NCS_SERVER_BIN, ['start', '--demo', '--port', String(port), '--emulator-port', String(emulatorPort)], {
      NCS_DATA_DIR: path.join(dir, 'data'),
      NCS_ENCRYPTION_KEY: '',
      DATABASE_URL: '',
      PROCORE_CLI_REDIRECT_URIS: `http://localhost:${redirectPort}/callback`,
    });
    runs.push(demo);
    await demo.waitFor(/Ctrl-C stops the demo/, 90_000);

    const reportDir = path.join(dir, 'person');
    await mkdir(reportDir);
    const env = {
      NCS_SERVER: `http://127.0.0.1:${port}`,
      NCS_CONFIG_DIR: path.join(dir, 'config'),
      NCS_CREDENTIAL_STORE: 'file',
      NCS_TOKEN: '',
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
      SSH_CONNECTION: '',
      NCS_BROWSER: `"${process.execPath}" "${PERSON_SCRIPT}"`,
      NCS_TEST_PERSON: JSON.stringify({ reportDir, runs: [{ login: 'jsmith@demo.example' }] }),
    };
    const login = runBinary(NCS_BIN, ['login', '-u', 'jsmith', '--password-stdin'], env);
    runs.push(login);
    login.child.stdin.end('demo');
    expect(await login.exited, login.stderr()).toBe(0);

    const reconnect = runBinary(NCS_BIN, ['reconnect', 'P-1002', '--json', '--timeout', '60'], env);
    runs.push(reconnect);
    reconnect.child.stdin.end();
    expect(await reconnect.exited, reconnect.stderr()).toBe(0);
    const verdict = JSON.parse(reconnect.stdout());
    expect(verdict.restored.map((item: { number: string; status: string }) => `${item.number} ${item.status}`)).toEqual(['P-1002 connected', 'P-1003 connected']);
    expect(reconnect.stderr()).toContain(`Sign in to Procore (localhost:${emulatorPort}) as jsmith@demo.example`);
  });
});
