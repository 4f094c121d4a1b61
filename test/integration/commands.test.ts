// The built `ncs` against a real backend and emulator: every way to sign in, and list, show and check with their exit codes.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine } from '../support/processes.js';
import { expectNoProcoreTokenLeaked, NCS_BIN, startWorld, type IntegrationWorld } from './support/world.js';

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

const ANSI = /\u001b\[/;

/** Runs `ncs login` on a pseudo-terminal (util-linux `script`) and types the password at the prompt. */
function loginOnTerminal(username: string, password: string): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(NCS_BIN)} login -u ${username}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, NCS_SERVER: world.serverUrl, NCS_CONFIG_DIR: world.configDir, NCS_CREDENTIAL_STORE: 'file', NO_COLOR: '1', TERM: 'dumb' },
    });
    let output = '';
    let typed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!typed && /password/i.test(output)) {
        typed = true;
        child.stdin.write(`${password}\r`);
      }
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, output }));
  });
}

describe('signing in to NCS with the built ncs', { timeout: 120_000 }, () => {
  it('prompts for the password on a terminal and signs in', async () => {
    const result = await loginOnTerminal('mlee', 'demo');
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).not.toContain('demo\r\n');
    const whoami = await world.ncsDone(['whoami']);
    expect(whoami.exitCode).toBe(0);
    expect(whoami.stdout).toContain('mlee');
  });

  it('reads the password from stdin with --password-stdin, stripping DEMO\\ with a note naming the domain', async () => {
    const result = await world.ncsDone(['login', '-u', 'DEMO\\jsmith', '--password-stdin'], { stdin: 'demo\n' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('DEMO');
    expect((await world.ncsDone(['whoami', '--json'])).stdout).toContain('"jsmith"');
  });

  it('signs in without prompts from NCS_USERNAME and NCS_PASSWORD', async () => {
    const result = await world.ncsDone(['login'], { env: { NCS_USERNAME: 'padmin', NCS_PASSWORD: 'demo' } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await world.ncsDone(['whoami'])).stdout).toContain('padmin');
  });

  it('refuses a wrong NCS password with exit 3', async () => {
    const result = await world.ncsDone(['login', '-u', 'rkim', '--password-stdin', '--json'], { stdin: 'not-the-password\n' });
    expect(result.exitCode).toBe(3);
    expect(lastJsonLine(result.stderr).error.code).toBe('invalid_credentials');
  });

  it('uses an API token from NCS_TOKEN without logging in', async () => {
    const token = await world.apiSession('gadmin');
    const result = await world.ncsDone(['projects', 'list', '--json'], { env: { NCS_TOKEN: token } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { number: string }[]).map((item) => item.number)).toEqual(['P-1001', 'P-1002', 'P-1003', 'P-1004', 'P-1005']);
  });

  it('signs out, and then commands say to sign in (exit 3)', async () => {
    await world.login('dchan');
    expect((await world.ncsDone(['logout'])).exitCode).toBe(0);
    const result = await world.ncsDone(['projects', 'list']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('ncs login');
  });
});

describe('projects with the built ncs', { timeout: 120_000 }, () => {
  it('lists the visible projects in a table without colour when stdout is not a terminal', async () => {
    await world.login('gadmin');
    const result = await world.ncsDone(['projects', 'list']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toMatch(ANSI);
    for (const line of result.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(result.stdout).toContain('Connection Lost');
    expect(result.stdout).toContain('Connected');
  });

  it('filters lost projects and prints the API items with --json', async () => {
    await world.login('gadmin');
    const result = await world.ncsDone(['projects', 'list', '--status', 'lost', '--json']);
    expect(result.exitCode).toBe(0);
    const items = JSON.parse(result.stdout) as { number: string; status: string }[];
    expect(items.map((item) => item.number)).toEqual(['P-1002', 'P-1003', 'P-1004', 'P-1005']);
    expect(new Set(items.map((item) => item.status))).toEqual(new Set(['connection_lost']));
  });

  it('shows what broke and who must act, and runs the live checks with --check', async () => {
    await world.login('jsmith');
    const shown = await world.ncsDone(['projects', 'show', 'P-1002']);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain('jsmith@demo.example');
    const checked = await world.ncsDone(['projects', 'show', 'P-1002', '--check', '--json']);
    expect(checked.exitCode).toBe(0);
    const detail = JSON.parse(checked.stdout) as { status: string; reason: string; checks?: { account: string; reason: string }[] };
    expect(detail).toMatchObject({ status: 'connection_lost', reason: 'token_revoked' });
    expect(JSON.stringify(detail)).toContain('jsmith@demo.example');
  });

  it('checks for monitoring: exit 8 with the projects not connected, exit 0 with a note when none is visible', async () => {
    await world.login('gadmin');
    const lost = await world.ncsDone(['projects', 'check', '--json']);
    expect(lost.exitCode).toBe(8);
    expect(JSON.parse(lost.stdout)).toMatchObject({ connected: 1, lost: 4, degraded: 0 });
    expect((JSON.parse(lost.stdout) as { notConnected: unknown[] }).notConnected).toHaveLength(4);

    await world.login('viewer');
    const none = await world.ncsDone(['projects', 'check']);
    expect(none.exitCode).toBe(0);
    expect(none.stderr.length).toBeGreaterThan(0);

    await world.login('mlee');
    expect((await world.ncsDone(['projects', 'check'])).exitCode).toBe(0);
  });

  it('answers exit 5 for a project the user may not see and exit 2 for an ambiguous name', async () => {
    await world.login('mlee');
    expect((await world.ncsDone(['projects', 'show', 'P-1002'])).exitCode).toBe(5);
    await world.login('gadmin');
    const ambiguous = await world.ncsDone(['projects', 'show', 'P-100']);
    expect(ambiguous.exitCode).toBe(2);
    expect(ambiguous.stderr).toContain('P-1001');
  });
});
