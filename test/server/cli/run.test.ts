// `ncs-server start`, `migrate` and `emulator` as real processes: configuration errors, the emulator alone, migrations.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { NCS_SERVER_BIN, freePort, runBinary, type ChildRun } from '../../support/processes.js';

const productionEnv = (dataDir: string) => ({
  NCS_DATA_DIR: dataDir,
  NCS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  NCS_PUBLIC_URL: 'https://ncs.example.com',
  PROCORE_CLIENT_ID: 'id',
  PROCORE_CLIENT_SECRET: 'secret',
  DATABASE_URL: '',
});

describe('ncs-server run commands', () => {
  let run: ChildRun | undefined;
  let dataDir: string;
  afterEach(async () => {
    if (run && run.child.exitCode === null) run.child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start without NCS_ENCRYPTION_KEY, in one line naming it', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ncs-run-'));
    run = runBinary(NCS_SERVER_BIN, ['start', '--port', '0'], { ...productionEnv(dataDir), NCS_ENCRYPTION_KEY: '' });
    expect(await run.exited).toBe(2);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ncs-server: configuration error: NCS_ENCRYPTION_KEY: is required/);
  });

  it('starts in production mode, answers /healthz, and stops on SIGTERM', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ncs-run-'));
    const port = await freePort();
    run = runBinary(NCS_SERVER_BIN, ['start', '--port', String(port)], productionEnv(dataDir));
    await run.waitFor(/listening on/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Production start never loads the emulator: its control endpoints do not exist here.
    expect((await fetch(`http://127.0.0.1:${port}/__emulator/stats`)).status).toBe(404);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('migrates a new database and then reports it up to date', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ncs-run-'));
    run = runBinary(NCS_SERVER_BIN, ['migrate'], { NCS_DATA_DIR: dataDir, DATABASE_URL: '' });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/Applied: 0001_initial/);
    run = runBinary(NCS_SERVER_BIN, ['migrate'], { NCS_DATA_DIR: dataDir, DATABASE_URL: '' });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/up to date/);
  });

  it('runs the emulator alone with the demo seed and stops on Ctrl-C', async () => {
    run = runBinary(NCS_SERVER_BIN, ['emulator', '--port', '0', '--seed', 'demo']);
    await run.waitFor(/^http:\/\/127\.0\.0\.1:\d+\n/m);
    const url = run.stdout().trim().split('\n')[0]!;
    const minted = await fetch(`${url}/__emulator/accounts/mlee%40demo.example/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { access_token: accessToken } = (await minted.json()) as { access_token: string };
    const me = await fetch(`${url}/rest/v1.0/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(await me.json()).toMatchObject({ login: 'mlee@demo.example' });
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('refuses an invalid seed file with a message naming the problem', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ncs-run-'));
    const seed = path.join(dataDir, 'seed.json');
    await writeFile(seed, JSON.stringify({ companies: [], projects: [{ id: 1, companyId: 99, name: 'X' }], accounts: [], access: [] }));
    run = runBinary(NCS_SERVER_BIN, ['emulator', '--port', '0', '--seed', seed]);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/seed is not valid: .*companyId/);
  });
});
