// The built `ncs reconnect` against the real backend and the Procore emulator, a scripted person in the browser (SPEC 6.2, 8).
import type { Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { oobCode, signInAtProcore } from './fixtures/procore-person.mjs';
import { closeServer, occupyPort, portIsFree } from '../support/ports.js';
import { lastJsonLine } from '../support/processes.js';
import { expectNoProcoreTokenLeaked, startWorld, type IntegrationWorld } from './support/world.js';

const TIMEOUT = { timeout: 120_000 };

let world: IntegrationWorld;
const occupied: Server[] = [];
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  try {
    // Every path of every test: no live Procore token in what the CLI printed or stored (SPEC 9.3).
    await expectNoProcoreTokenLeaked(world);
  } finally {
    while (occupied.length > 0) await closeServer(occupied.pop()!);
    await world.close();
  }
});

function occupy(port: number): Promise<void> {
  return occupyPort(port).then((server) => void occupied.push(server));
}


describe('ncs reconnect <project> through the browser', TIMEOUT, () => {
  it('jsmith reconnects P-1002 as jsmith@demo.example: P-1002 and P-1003 are restored (exit 0)', async () => {
    await world.login('jsmith');
    const result = await world.ncsDone(['reconnect', 'P-1002'], { person: [{ login: 'jsmith@demo.example' }] });
    expect(result.exitCode, result.stderr).toBe(0);
    const emulatorHost = `localhost:${new URL(world.emulatorUrl).port}`;
    expect(result.stderr).toContain(`Sign in to Procore (${emulatorHost}) as jsmith@demo.example`);
    expect(result.stdout).toMatch(/P-1002\s+Civic Library\s+Connected/);
    expect(result.stdout).toMatch(/P-1003\s+Riverside Clinic\s+Connected/);
    const [report] = await world.personReports(1);
    expect(report.procore?.location).toBe(world.redirectUris[0]);
    expect(report.final).toMatchObject({ status: 200, headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
    expect(report.final?.page).toContain('Procore connection restored');
    expect(report.final?.page).not.toMatch(/code=|[?&]state=/);
    expect(await world.projectStatuses()).toMatchObject({ 'P-1002': 'connected', 'P-1003': 'connected', 'P-1004': 'connection_lost' });
    expect(await portIsFree(world.redirectPorts[0])).toBe(true);
  });

  it('padmin reconnecting P-1002 as jsmith gets it back, with restoredOther: 1 (--json)', async () => {
    await world.login('padmin');
    const result = await world.ncsDone(['reconnect', 'P-1002', '--json'], { person: [{ login: 'jsmith@demo.example' }] });
    expect(result.exitCode, result.stderr).toBe(0);
    const verdict = JSON.parse(result.stdout);
    expect(verdict.restored.map((item: { number: string }) => item.number)).toEqual(['P-1002']);
    expect(verdict.restoredOther).toBe(1);
    expect(verdict.account.login).toBe('jsmith@demo.example');
  });

  it('signed in to Procore as intruder: refused, exit 6, naming who signed in and who was expected; nothing changes', async () => {
    await world.login('jsmith');
    const result = await world.ncsDone(['reconnect', 'P-1002'], { person: [{ login: 'intruder@demo.example' }] });
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain('you signed in to Procore as intruder@demo.example, but P-1002 needs jsmith@demo.example');
    const [report] = await world.personReports(1);
    expect(report.final?.page).toContain('NCS did not accept this sign-in');
    expect(await world.projectStatuses()).toMatchObject({ 'P-1002': 'connection_lost', 'P-1003': 'connection_lost' });
  });

  it('Deny on Procore\'s page: exit 6, reconnect_denied', async () => {
    await world.login('jsmith');
    const result = await world.ncsDone(['reconnect', 'P-1002', '--json'], { person: [{ decision: 'deny' }] });
    expect(result.exitCode).toBe(6);
    expect(lastJsonLine(result.stderr).error.code).toBe('reconnect_denied');
    expect((await world.personReports(1))[0].final?.page).toContain('Access not granted');
    expect(await world.projectStatuses()).toMatchObject({ 'P-1002': 'connection_lost' });
  });

  it('a tampered-state and a forged error= callback are refused, the wait goes on, and the right one succeeds', async () => {
    await world.login('jsmith');
    const result = await world.ncsDone(['reconnect', 'P-1002'], {
      person: [{ login: 'jsmith@demo.example', preludes: ['tampered_state', 'forged_error', 'wrong_path'] }],
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const [report] = await world.personReports(1);
    expect(report.preludes).toEqual([
      { kind: 'tampered_state', status: 400 },
      { kind: 'forged_error', status: 400 },
      { kind: 'wrong_path', status: 404 },
    ]);
    expect(report.final?.status).toBe(200);
    expect(result.stderr.match(/does not belong to this attempt/g)).toHaveLength(2);
  });

  it('--timeout 2 with nobody signing in: exit 6 with a clear message, and the listener is closed', async () => {
    await world.login('jsmith');
    const result = await world.ncsDone(['reconnect', 'P-1002', '--timeout', '2'], { person: [{ decision: 'ignore' }] });
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain('The Procore sign-in did not finish within 2 s. Nothing was changed.');
    expect(await portIsFree(world.redirectPorts[0])).toBe(true);
  });

  it('the first redirect port busy: the next one is used', async () => {
    await occupy(world.redirectPorts[0]);
    await world.login('jsmith');
    const result = await world.ncsDone(['reconnect', 'P-1002'], { person: [{ login: 'jsmith@demo.example' }] });
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await world.personReports(1))[0].procore?.location).toBe(world.redirectUris[1]);
  });

  it('every redirect port busy without a terminal: exit 9 naming the ports and suggesting --oob', async () => {
    for (const port of world.redirectPorts) await occupy(port);
    await world.login('jsmith');
    const result = await world.ncsDone(['reconnect', 'P-1002'], { person: [{ login: 'jsmith@demo.example' }] });
    expect(result.exitCode).toBe(9);
    for (const port of world.redirectPorts) expect(result.stderr).toContain(String(port));
    expect(result.stderr).toContain('--oob');
  });

  it('Ctrl-C while waiting: exit 130 and the listener is closed', async () => {
    await world.login('jsmith');
    const run = world.ncs(['reconnect', 'P-1002'], { person: [{ decision: 'ignore' }] });
    await run.waitFor(/Waiting up to/, 60_000);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain('Interrupted');
    expect(await portIsFree(world.redirectPorts[0])).toBe(true);
  });
});

describe('ncs reconnect <project> --oob', TIMEOUT, () => {
  it('the code from Procore\'s out-of-band page, fed on stdin, reconnects P-1002', async () => {
    await world.login('jsmith');
    const run = world.ncs(['reconnect', 'P-1002', '--oob']);
    await run.waitFor(/http:\/\/localhost:\d+\/oauth\/authorize\?\S+/, 60_000);
    const authorizeUrl = /http:\/\/localhost:\d+\/oauth\/authorize\?\S+/.exec(run.stderr())![0];
    expect(new URL(authorizeUrl).searchParams.get('redirect_uri')).toBe('urn:ietf:wg:oauth:2.0:oob');
    const signedIn = await signInAtProcore(authorizeUrl, { login: 'jsmith@demo.example' });
    const code = oobCode(signedIn.page);
    expect(code).toBeTruthy();
    run.child.stdin.end(`${code}\n`);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/P-1003\s+Riverside Clinic\s+Connected/);
  });
});

describe('ncs reconnect <project> --token-stdin', TIMEOUT, () => {
  it('a Global Admin pushes a token minted for jsmith: P-1002 and P-1003 restored, the token never echoed', async () => {
    await world.login('gadmin');
    const token = (await world.emulator('POST', '/__emulator/accounts/jsmith@demo.example/tokens', { clientId: 'ncs-demo' })) as { access_token: string; refresh_token: string };
    const result = await world.ncsDone(['reconnect', 'P-1002', '--token-stdin', '--verbose'], { stdin: JSON.stringify(token) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/P-1003\s+Riverside Clinic\s+Connected/);
    await expectNoProcoreTokenLeaked(world, [token.access_token, token.refresh_token]);
  });

  it('anyone else gets exit 4', async () => {
    await world.login('jsmith');
    const token = await world.emulator('POST', '/__emulator/accounts/jsmith@demo.example/tokens', { clientId: 'ncs-demo' });
    const result = await world.ncsDone(['reconnect', 'P-1002', '--token-stdin'], { stdin: JSON.stringify(token) });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('Only Global Admins may push a Procore token');
  });
});

describe('ncs reconnect --all-lost', TIMEOUT, () => {
  it('gadmin: one sign-in as jsmith (P-1002, bringing P-1003) and one as rkim (P-1004); P-1005 left out (exit 0)', async () => {
    await world.login('gadmin');
    const result = await world.ncsDone(['reconnect', '--all-lost', '--json'], {
      person: [{ login: 'jsmith@demo.example' }, { login: 'rkim@demo.example' }],
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      results: [
        { account: 'jsmith@demo.example', project: 'P-1002', outcome: 'restored', restored: ['P-1002', 'P-1003'] },
        { account: 'rkim@demo.example', project: 'P-1004', outcome: 'restored', restored: ['P-1004'] },
      ],
    });
    expect(result.stderr).toMatch(/\[1\/2\] Procore account jsmith@demo\.example[^\n]*\n[^\n]*sign out of Procore there first/);
    expect(result.stderr).toMatch(/\[2\/2\] Procore account rkim@demo\.example/);
    expect(result.stderr).toContain('Left out P-1005');
    expect(await world.projectStatuses()).toEqual({
      'P-1001': 'connected',
      'P-1002': 'connected',
      'P-1003': 'connected',
      'P-1004': 'connected',
      'P-1005': 'connection_lost',
    });
  });

  it('a refused sign-in is reported and the next account goes on (exit 6)', async () => {
    await world.login('gadmin');
    const result = await world.ncsDone(['reconnect', '--all-lost', '--json'], {
      person: [{ login: 'intruder@demo.example' }, { login: 'rkim@demo.example' }],
    });
    expect(result.exitCode).toBe(6);
    expect(JSON.parse(result.stdout).results).toEqual([
      { account: 'jsmith@demo.example', project: 'P-1002', outcome: 'account_mismatch', restored: [] },
      { account: 'rkim@demo.example', project: 'P-1004', outcome: 'restored', restored: ['P-1004'] },
    ]);
  });
});
