// The built `ncs reconnect` where it must stop before any sign-in: server down, session gone, throttled, not visible, ambiguous, connected.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, lastJsonLine } from '../support/processes.js';
import { expectNoProcoreTokenLeaked, startWorld, type IntegrationWorld } from './support/world.js';

let world: IntegrationWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  try {
    await expectNoProcoreTokenLeaked(world);
  } finally {
    await world.close();
  }
});

const person = [{ login: 'jsmith@demo.example' }];

describe('ncs reconnect stops early, with the exit code of SPEC 6.3', { timeout: 120_000 }, () => {
  it('the NCS server unreachable → exit 7', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const result = await world.ncsDone(['reconnect', 'P-1002', '--json'], { person, env: { NCS_SERVER: down, NCS_TOKEN: 'ncs_s_whatever' } });
    expect(result.exitCode).toBe(7);
    expect(lastJsonLine(result.stderr).error).toMatchObject({ code: 'server_unreachable', message: expect.stringContaining('refused the connection') });
  });

  it('an expired (revoked) session → exit 3, saying to sign in again', async () => {
    await world.login('jsmith');
    const stored = JSON.parse(readFileSync(path.join(world.configDir, 'credentials.json'), 'utf8')) as { sessions: Record<string, { token: string }> };
    const token = stored.sessions[world.serverUrl].token;
    expect((await world.api('DELETE', '/api/v1/session', token)).status).toBe(204);
    const result = await world.ncsDone(['reconnect', 'P-1002'], { person });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`ncs login --server ${world.serverUrl}`);
  });

  it('a throttled NCS sign-in (after 6 wrong passwords) → exit 9, saying when to retry', async () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      await world.api('POST', '/api/v1/session', '', { username: 'mlee', password: 'wrong' });
    }
    const result = await world.ncsDone(['login', '-u', 'mlee', '--password-stdin'], { stdin: 'demo' });
    expect(result.exitCode).toBe(9);
    expect(result.stderr).toMatch(/Retry after \d+ s/);
  });

  it('a project the user may not see → exit 5', async () => {
    await world.login('jsmith');
    const result = await world.ncsDone(['reconnect', 'P-1004', '--json'], { person });
    expect(result.exitCode).toBe(5);
    expect(lastJsonLine(result.stderr).error.code).toBe('project_not_found');
  });

  it('an ambiguous project name → exit 2, listing the candidates', async () => {
    await world.login('gadmin');
    const result = await world.ncsDone(['reconnect', 'P-100'], { person });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('matches 5 projects');
    expect(result.stderr).toContain('ncs reconnect P-1001');
  });

  it('a connected project without a terminal and without --force → exit 2 with a hint', async () => {
    await world.login('gadmin');
    const result = await world.ncsDone(['reconnect', 'P-1001'], { person: [{ login: 'mlee@demo.example' }] });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ncs reconnect P-1001 --force');
  });

  it('a connected project with --force is reconnected', async () => {
    await world.login('gadmin');
    const result = await world.ncsDone(['reconnect', 'P-1001', '--force'], { person: [{ login: 'mlee@demo.example' }] });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/P-1001\s+Harbor Tower\s+Connected/);
  });
});
