// `ncs-server start --demo` as a user runs it: a real process, real ports, the statuses of SPEC 8, Ctrl-C stops it.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, NCS_SERVER_BIN, runBinary, type ChildRun } from '../support/processes.js';

describe('ncs-server start --demo', () => {
  let run: ChildRun | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    if (run && run.child.exitCode === null) run.child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts backend and emulator on loopback, decides the statuses by a sync round, prints what to try, and stops on Ctrl-C', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ncs-demo-'));
    const [port, emulatorPort] = [await freePort(), await freePort()];
    run = runBinary(NCS_SERVER_BIN, ['start', '--demo', '--port', String(port), '--emulator-port', String(emulatorPort)], {
      NCS_DATA_DIR: dataDir,
      NCS_ENCRYPTION_KEY: '',
      DATABASE_URL: '',
    });
    await run.waitFor(/Ctrl-C stops the demo/, 60_000);
    const banner = run.stderr();
    expect(banner).toContain(`http://127.0.0.1:${port}`);
    expect(banner).toContain(`http://localhost:${emulatorPort}`);
    expect(banner).toMatch(/P-1002\s+Civic Library\s+Connection Lost\s+token_revoked/);

    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const session = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'gadmin', password: 'demo' }),
    });
    const { token } = (await session.json()) as { token: string };
    const list = await fetch(`http://127.0.0.1:${port}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } });
    const items = ((await list.json()) as { items: { number: string; status: string; reason: string | null }[] }).items;
    expect(items.map((item) => `${item.number} ${item.status} ${item.reason}`)).toEqual([
      'P-1001 connected null',
      'P-1002 connection_lost token_revoked',
      'P-1003 connection_lost migrated_from_trimble',
      'P-1004 connection_lost token_expired',
      'P-1005 connection_lost permission_denied',
    ]);
    // The demo's generated key lives beside its data, readable by the owner only.
    expect((await stat(path.join(dataDir, 'demo', 'encryption.key'))).mode & 0o777).toBe(0o600);
    expect(banner).not.toContain(token);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${emulatorPort}/rest/v1.0/me`)).rejects.toThrow();
  }, 90_000);

  it('recreates the demo data on every start (a session of the previous run is unknown)', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ncs-demo-'));
    let previousToken: string | undefined;
    for (let start = 0; start < 2; start++) {
      const [port, emulatorPort] = [await freePort(), await freePort()];
      run = runBinary(NCS_SERVER_BIN, ['start', '--demo', '--port', String(port), '--emulator-port', String(emulatorPort)], { NCS_DATA_DIR: dataDir });
      await run.waitFor(/Ctrl-C stops the demo/, 60_000);
      if (previousToken) {
        const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { authorization: `Bearer ${previousToken}` } });
        expect(me.status).toBe(401);
      }
      const session = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'viewer', password: 'demo' }),
      });
      previousToken = ((await session.json()) as { token: string }).token;
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
    }
  }, 120_000);
});
