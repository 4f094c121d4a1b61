// `ncs projects list|show|check` against the fake NCS API: tables, JSON, pagination, resolution, exit codes.
import { beforeEach, describe, expect, it } from 'vitest';
import { STATUS_LABELS } from '../../src/core/index.js';
import { columnWidths } from '../../src/cli/output/projects.js';
import { demoProjects, project, SERVER, type FakeNcs } from './fake-ncs.js';
import { ANSI, runNcs, tempConfigDir, useFakeNcsServer } from './harness.js';

const fake = useFakeNcsServer();
let ncs: FakeNcs;
let token: string;
let config: ReturnType<typeof tempConfigDir>;
beforeEach(() => {
  ({ ncs, config } = fake);
  token = ncs.sessionFor('gadmin');
});

const env = () => ({ NCS_SERVER: SERVER, NCS_TOKEN: token, NCS_CONFIG_DIR: config.dir });
const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));

describe('ncs projects list', () => {
  it('prints a table with the five columns and every project', async () => {
    const result = await runNcs(['projects', 'list'], { env: env() });
    expect(result.exitCode).toBe(0);
    // At 80 columns two headers take two lines ("Connection / Status", "Ball-in- / Court").
    const [first, second] = result.stdout.split('\n');
    expect(first.split(/\s{2,}/).map((h) => h.trim())).toEqual(['Project', 'Connection', 'Ball-in-', 'Last Sync', 'Details']);
    expect(second.trim().split(/\s+/)).toEqual(['Status', 'Court']);
    for (const number of ['P-1001', 'P-1002', 'P-1003', 'P-1004', 'P-1005']) expect(result.stdout).toContain(number);
    expect(result.stdout).toContain('Connection Lost');
    expect(result.stdout).toContain('Connected');
    expect(result.stdout).toMatch(/jsmith@demo\.example/); // the account that must sign in again
    expect(result.stderr).toContain('5 projects: 1 connected, 4 connection lost.');
  });

  it('fits 80 columns with long names, long logins and long numbers, and never wraps the status cell', async () => {
    ncs.projects = [
      project('P-2001-LONG-NUMBER-ABCDEFGHIJKLMN', 'A very long project name that goes on and on about the Greater Metropolitan Area Civic Library', 'connection_lost', {
        bic: ['averyveryverylongusernamethatneverends', 'second'],
        reason: 'permission_denied',
      }),
      project('P-2002', 'Depot', 'degraded', { reason: 'rate_limited' }),
      project('P-2003', 'Harbor', 'connected'),
    ];
    const result = await runNcs(['projects', 'list'], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(widest(result.stdout)).toBeLessThanOrEqual(80);
    for (const label of Object.values(STATUS_LABELS)) expect(result.stdout).toContain(label);
    // Long words are split, not cut with an ellipsis: every character of the login is still there.
    expect(result.stdout.replace(/[\s─]/g, '')).toContain('averyveryverylongusernamethatneverends'.slice(0, 12));
    expect(result.stdout).not.toContain('…');
  });

  it.each([80, 100, 132])('column widths add up to at most %i', (width) => {
    const widths = columnWidths(width);
    expect(widths.reduce((a, b) => a + b, 0) + widths.length - 1).toBeLessThanOrEqual(width);
    expect(widths[1]).toBeGreaterThan('Connection Lost'.length);
  });

  it('uses the terminal width when stdout is a wider terminal', async () => {
    const result = await runNcs(['projects', 'list', '--no-color'], { env: env(), terminal: { stdoutIsTTY: true, columns: 120 } });
    expect(widest(result.stdout)).toBeGreaterThan(80);
    expect(widest(result.stdout)).toBeLessThanOrEqual(120);
  });

  it('colours the status on a terminal, and not with NO_COLOR, --no-color, --json or a pipe', async () => {
    const tty = { stdoutIsTTY: true, stderrIsTTY: true, columns: 80 };
    expect((await runNcs(['projects', 'list'], { env: env(), terminal: tty })).stdout).toMatch(ANSI);
    expect((await runNcs(['projects', 'list'], { env: { ...env(), NO_COLOR: '1' }, terminal: tty })).stdout).not.toMatch(ANSI);
    expect((await runNcs(['projects', 'list', '--no-color'], { env: env(), terminal: tty })).stdout).not.toMatch(ANSI);
    const json = await runNcs(['projects', 'list', '--json'], { env: env(), terminal: tty });
    expect(json.stdout).not.toMatch(ANSI);
    expect(json.stderr).not.toMatch(ANSI);
    const piped = await runNcs(['projects', 'list'], { env: env() });
    expect(piped.stdout + piped.stderr).not.toMatch(ANSI);
  });

  it('--json prints the API items of every page as one JSON array, following nextCursor', async () => {
    ncs.projects = Array.from({ length: 450 }, (_, i) => project(`P-${String(i).padStart(4, '0')}`, `Project ${i}`, i % 3 ? 'connected' : 'connection_lost'));
    const result = await runNcs(['projects', 'list', '--json'], { env: env() });
    expect(result.exitCode).toBe(0);
    const items = JSON.parse(result.stdout);
    expect(items).toHaveLength(450);
    expect(items[0]).toEqual(ncs.projects[0]);
    const pages = ncs.requests.filter((r) => r.url.pathname === '/api/v1/projects');
    expect(pages.map((r) => r.url.searchParams.get('limit'))).toEqual(['200', '200', '200']);
    expect(result.stderr).toBe('');
  });

  it('--status lost asks the API for connection_lost', async () => {
    const result = await runNcs(['projects', 'list', '--status', 'lost', '--json'], { env: env() });
    expect(ncs.requests.at(-1)!.url.searchParams.get('status')).toBe('connection_lost');
    expect(JSON.parse(result.stdout).every((p: { status: string }) => p.status === 'connection_lost')).toBe(true);
  });

  it('says so on stderr when no project is visible, with exit 0', async () => {
    ncs.projects = [];
    const result = await runNcs(['projects', 'list'], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No projects are visible');
  });
});

describe('ncs projects show', () => {
  it('explains what broke, who must act and the remedy steps', async () => {
    const result = await runNcs(['projects', 'show', 'P-1002'], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('P-1002  Civic Library');
    expect(result.stdout).toContain('Connection Lost');
    expect(result.stdout).toContain('Procore invalidated the stored token');
    expect(result.stdout).toContain('Who must act');
    expect(result.stdout).toContain('Sign in to Procore as jsmith@demo.example (ball-in-court user jsmith');
    expect(result.stdout).toMatch(/What to do\n\s+1\. Reconnect the project/);
    expect(result.stdout).toContain('ncs reconnect P-1002');
    expect(widest(result.stdout)).toBeLessThanOrEqual(80);
  });

  it('says what to grant for a permission problem and suggests no reconnect', async () => {
    const result = await runNcs(['projects', 'show', 'P-1005'], { env: env() });
    expect(result.stdout).toContain('Give dchan@demo.example access in Procore');
    expect(result.stdout).not.toContain('ncs reconnect');
  });

  it('--json prints the API detail object with status and reason at its top level', async () => {
    const result = await runNcs(['projects', 'show', 'P-1003', '--json'], { env: env() });
    const detail = JSON.parse(result.stdout);
    expect(detail).toMatchObject({ number: 'P-1003', status: 'connection_lost', reason: 'migrated_from_trimble' });
    expect(detail.remedy.length).toBeGreaterThan(0);
  });

  it('--check runs the server checks, then shows the fresh detail and each account\'s check', async () => {
    const result = await runNcs(['projects', 'show', 'P-1002', '--check'], { env: env() });
    expect(result.exitCode).toBe(0);
    const paths = ncs.requests.map((r) => `${r.method} ${r.url.pathname}`);
    expect(paths).toEqual(['GET /api/v1/projects/P-1002', 'POST /api/v1/projects/prj_qqqqqqqqqqqqqqqqbaac/check', 'GET /api/v1/projects/prj_qqqqqqqqqqqqqqqqbaac']);
    expect(result.stdout).toContain('Live checks');
    expect(result.stdout).toContain('jsmith@demo.example');
    expect(result.stdout).toContain('credential dead');
    const json = JSON.parse((await runNcs(['projects', 'show', 'P-1002', '--check', '--json'], { env: env() })).stdout);
    expect(json.checks[0]).toMatchObject({ account: 'jsmith@demo.example', credential: 'dead', reason: 'token_revoked' });
  });
});

describe('<project> resolution', () => {
  it.each([
    ['the project number', 'P-1004', 'P-1004'],
    ['the NCS id', 'prj_qqqqqqqqqqqqqqqqbaae', 'P-1004'],
    ['a case-insensitive part of the name', 'north CAMPUS', 'P-1004'],
    ['the number in another case', 'p-1004', 'P-1004'],
  ])('finds a project by %s', async (_what, input, number) => {
    const result = await runNcs(['projects', 'show', input, '--json'], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout).number).toBe(number);
  });

  it('prefers an exact number over other projects whose number or name contains it', async () => {
    ncs.projects = [project('P-1', 'One', 'connected'), project('P-10', 'Ten', 'connected'), project('P-100', 'Hundred P-1', 'connected')];
    ncs.projects[0].id = 'prj_aaaaaaaaaaaaaaaaaaaa';
    const result = await runNcs(['projects', 'show', 'p-1', '--json'], { env: env() });
    expect(JSON.parse(result.stdout).number).toBe('P-1');
  });

  it('exits 2 with ambiguous_project and lists the candidates when several names match', async () => {
    ncs.projects = [...demoProjects(), project('P-2002', 'Civic Library Annex', 'connected')];
    const result = await runNcs(['projects', 'show', 'civic'], { env: env() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('"civic" matches 2 projects');
    expect(result.stderr).toContain('P-1002  Civic Library');
    expect(result.stderr).toContain('P-2002  Civic Library Annex');
    expect(result.stderr).toContain('ncs projects show P-1002');
    const json = await runNcs(['projects', 'show', 'civic', '--json'], { env: env() });
    expect(JSON.parse(json.stderr).error.code).toBe('ambiguous_project');
    expect(json.stdout).toBe('');
  });

  it('exits 5 when nothing matches', async () => {
    const result = await runNcs(['projects', 'show', 'no such thing'], { env: env() });
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain('No project matches "no such thing"');
  });

  it('exits 5 for an NCS id that is not visible, without searching', async () => {
    const result = await runNcs(['projects', 'show', 'prj_zzzzzzzzzzzzzzzzzzzz', '--json'], { env: env() });
    expect(result.exitCode).toBe(5);
    expect(JSON.parse(result.stderr).error.code).toBe('project_not_found');
    expect(ncs.requests).toHaveLength(1);
  });
});

describe('ncs projects check', () => {
  it('exits 8 and lists the projects that are not connected', async () => {
    ncs.projects.push(project('P-1006', 'Degraded One', 'degraded', { reason: 'procore_unreachable' }));
    const result = await runNcs(['projects', 'check'], { env: env() });
    expect(result.exitCode).toBe(8);
    expect(result.stdout).toContain('1 connected, 4 connection lost, 1 degraded');
    expect(result.stdout).toMatch(/P-1002 {2}Connection Lost {2}Civic Library/);
    expect(result.stdout).toMatch(/P-1006 {2}Degraded {2}Degraded One/);
  });

  it('--json prints {connected, lost, degraded, notConnected} in number order', async () => {
    ncs.projects.push(project('P-1000', 'Early degraded', 'degraded', { reason: 'rate_limited' }));
    const result = await runNcs(['projects', 'check', '--json'], { env: env() });
    expect(result.exitCode).toBe(8);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(['connected', 'lost', 'degraded', 'notConnected']);
    expect(report).toMatchObject({ connected: 1, lost: 4, degraded: 1 });
    expect(report.notConnected.map((p: { number: string }) => p.number)).toEqual(['P-1000', 'P-1002', 'P-1003', 'P-1004', 'P-1005']);
  });

  it('exits 0 when every visible project is connected', async () => {
    ncs.projects = [project('P-1001', 'Harbor Tower', 'connected')];
    const result = await runNcs(['projects', 'check'], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('1 connected, 0 connection lost, 0 degraded');
  });

  it('exits 0 when no project is visible, with a note on stderr', async () => {
    ncs.projects = [];
    const result = await runNcs(['projects', 'check', '--json'], { env: env() });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ connected: 0, lost: 0, degraded: 0, notConnected: [] });
    expect(result.stderr).toContain('No projects are visible to you');
  });
});
