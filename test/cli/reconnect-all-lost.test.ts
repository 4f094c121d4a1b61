// `ncs reconnect --all-lost` in-process (SPEC 6.1): one sign-in per BIC account, permission problems left out, every outcome reported.
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { groupLostProjects, signInAccountOf } from '../../src/cli/commands/reconnect/all-lost.js';
import type { BrowserOpener } from '../../src/cli/factory.js';
import { freePort, lastJsonLine } from '../support/processes.js';
import { apiError, demoProjects, fakeNcs, project, SERVER, type FakeNcs } from './fake-ncs.js';
import { runNcs, tempConfigDir } from './harness.js';
import { accepted, CODE, reconnectFake, type ReconnectFake, type ReconnectFakeOptions } from './reconnect-fake.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const mock = setupServer();
beforeAll(() => mock.listen({ onUnhandledRequest: (request, print) => void (LOOPBACK.has(new URL(request.url).hostname) || print.error()) }));
afterAll(() => mock.close());

let ncs: FakeNcs;
let config: ReturnType<typeof tempConfigDir>;
let redirectUris: string[];
beforeEach(async () => {
  config = tempConfigDir();
  ncs = fakeNcs();
  redirectUris = [`http://localhost:${await freePort()}/callback`, `http://localhost:${await freePort()}/callback`];
});
afterEach(() => {
  mock.resetHandlers();
  config.cleanup();
});

const env = () => ({ NCS_SERVER: SERVER, NCS_TOKEN: ncs.sessionFor('gadmin'), NCS_CONFIG_DIR: config.dir });
const numberOf = (ref: string) => ncs.projects.find((p) => p.id === ref)?.number;

function serve(options: Partial<ReconnectFakeOptions> = {}): ReconnectFake {
  const fake = reconnectFake(ncs, { redirectUris, ...options });
  mock.use(...fake.handlers, ...ncs.handlers);
  return fake;
}

/** A browser whose person does, at the n-th sign-in, what `plan[n]` says. */
function browserDoing(plan: Array<'allow' | 'nothing'>): BrowserOpener & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    canOpen: () => true,
    async open(url) {
      const step = plan[opened.length] ?? 'allow';
      opened.push(url);
      if (step === 'nothing') return;
      const authorize = new URL(url);
      void fetch(`${authorize.searchParams.get('redirect_uri')}?code=${CODE}&state=${authorize.searchParams.get('state')}`).then((r) => r.text());
    },
  };
}


describe('grouping', () => {
  it('groups lost projects by lower-cased BIC login, leaving permission_denied ones out', () => {
    const { groups, leftOut } = groupLostProjects(demoProjects().filter((p) => p.status === 'connection_lost'));
    expect(groups.map((g) => [g.account, g.projects.map((p) => p.number)])).toEqual([
      ['jsmith@demo.example', ['P-1002', 'P-1003']],
      ['rkim@demo.example', ['P-1004']],
    ]);
    expect(leftOut.map((p) => p.number)).toEqual(['P-1005']);
  });

  it('takes the first account in BIC order whose result needs a sign-in', () => {
    const item = project('P-2001', 'Two BICs', 'connection_lost', {
      bic: ['mlee', 'JSmith'],
      reason: 'permission_denied',
      accounts: [
        { login: 'mlee@demo.example', procoreUserId: '1', reason: 'permission_denied' },
        { login: 'JSmith@demo.example', procoreUserId: '2', reason: 'token_expired' },
      ],
    });
    expect(signInAccountOf(item)).toBe('jsmith@demo.example');
  });
});

describe('ncs reconnect --all-lost', () => {
  it('signs in once per account, in order, skipping projects an earlier sign-in brought back (exit 0)', async () => {
    const fake = serve();
    const browser = browserDoing(['allow', 'allow']);
    const result = await runNcs(['reconnect', '--all-lost', '--json'], { env: env(), browser });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      results: [
        { account: 'jsmith@demo.example', project: 'P-1002', outcome: 'restored', restored: ['P-1002', 'P-1003'] },
        { account: 'rkim@demo.example', project: 'P-1004', outcome: 'restored', restored: ['P-1004'] },
      ],
    });
    expect(fake.starts.map((s) => numberOf(s.ref))).toEqual(['P-1002', 'P-1004']);
    expect(result.stderr).toContain('Left out P-1005 Depot Renovation');
    // Before each sign-in: the account, and sign out of Procore first.
    const [first, second] = result.stderr.split('[2/2]');
    expect(first).toMatch(/\[1\/2\] Procore account jsmith@demo\.example: reconnecting P-1002 Civic Library, which should bring back P-1003 too/);
    expect(first).toMatch(/sign out of Procore there first; then sign in as jsmith@demo\.example/);
    expect(second).toMatch(/Procore account rkim@demo\.example.*\n.*sign out of Procore there first; then sign in as rkim@demo\.example/);
  });

  it('prints a table of outcomes without --json', async () => {
    serve();
    const result = await runNcs(['reconnect', '--all-lost'], { env: env(), browser: browserDoing([]) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Account\s+Project\s+Outcome\s+Restored\n/);
    expect(result.stdout).toMatch(/jsmith@demo\.example\s+P-1002\s+restored\s+P-1002, P-1003/);
  });

  it('a rejected sign-in is reported and the next account goes on (exit 6)', async () => {
    serve({
      verdict: (ref) =>
        numberOf(ref) === 'P-1002'
          ? HttpResponse.json({ error: { code: 'account_mismatch', message: 'no', details: { signedIn: { id: '105', login: 'intruder@demo.example' }, expected: ['jsmith@demo.example'] } } }, { status: 409 })
          : HttpResponse.json(accepted(ncs, ref)),
    });
    const result = await runNcs(['reconnect', '--all-lost', '--json'], { env: env(), browser: browserDoing([]) });
    expect(result.exitCode).toBe(6);
    expect(JSON.parse(result.stdout).results.map((r: { project: string; outcome: string }) => `${r.project} ${r.outcome}`)).toEqual(['P-1002 account_mismatch', 'P-1004 restored']);
    expect(result.stderr).toContain('intruder@demo.example');
  });

  it('missing permission on one project still counts the projects the account brought back', async () => {
    const fake = serve({
      verdict: (ref) => {
        if (numberOf(ref) !== 'P-1002') return HttpResponse.json(accepted(ncs, ref));
        const restored = [{ ...ncs.projects.find((p) => p.number === 'P-1003')!, status: 'connected' }];
        return HttpResponse.json(
          { error: { code: 'permission_denied', message: 'no RFIs', details: { missing: ['rfis'], restored, restoredOther: 0, account: { id: '102', login: 'jsmith@demo.example', name: 'J' } } } },
          { status: 422 },
        );
      },
    });
    const result = await runNcs(['reconnect', '--all-lost', '--json'], { env: env(), browser: browserDoing([]) });
    expect(result.exitCode).toBe(6);
    expect(JSON.parse(result.stdout).results).toEqual([
      { account: 'jsmith@demo.example', project: 'P-1002', outcome: 'permission_denied', restored: ['P-1003'] },
      { account: 'rkim@demo.example', project: 'P-1004', outcome: 'restored', restored: ['P-1004'] },
    ]);
    expect(fake.starts.map((s) => numberOf(s.ref))).toEqual(['P-1002', 'P-1004']);
  });

  it('a timed-out sign-in is reported and the next account goes on', async () => {
    serve();
    const result = await runNcs(['reconnect', '--all-lost', '--timeout', '1', '--json'], { env: env(), browser: browserDoing(['nothing', 'allow']) });
    expect(result.exitCode).toBe(6);
    expect(JSON.parse(result.stdout).results.map((r: { outcome: string }) => r.outcome)).toEqual(['reconnect_timed_out', 'restored']);
  });

  it('Procore unreachable for one account → exit 9 after trying the others', async () => {
    const fake = serve({ verdict: (ref) => (numberOf(ref) === 'P-1002' ? apiError('procore_unreachable') : HttpResponse.json(accepted(ncs, ref))) });
    const result = await runNcs(['reconnect', '--all-lost', '--json'], { env: env(), browser: browserDoing([]) });
    expect(result.exitCode).toBe(9);
    expect(fake.pushes).toHaveLength(2);
  });

  it('the NCS server failing stops the run (exit 7), with the results so far', async () => {
    const fake = serve({ verdict: () => apiError('internal_error') });
    const result = await runNcs(['reconnect', '--all-lost', '--json'], { env: env(), browser: browserDoing([]) });
    expect(result.exitCode).toBe(7);
    expect(fake.pushes).toHaveLength(1);
    expect(JSON.parse(result.stdout).results).toEqual([{ account: 'jsmith@demo.example', project: 'P-1002', outcome: 'internal_error', restored: [] }]);
    expect(lastJsonLine(result.stderr).error.code).toBe('internal_error');
  });

  it('a project that does not come back with its account is reported, not signed in for again', async () => {
    const fake = serve({
      verdict: (ref) => {
        const answer = accepted(ncs, ref);
        // Only the project itself comes back; P-1003 stays lost (for another reason).
        return HttpResponse.json({ ...answer, restored: answer.restored.slice(0, 1) });
      },
    });
    const result = await runNcs(['reconnect', '--all-lost', '--json'], { env: env(), browser: browserDoing([]) });
    expect(result.exitCode).toBe(6);
    expect(JSON.parse(result.stdout).results.map((r: { project: string; outcome: string }) => `${r.project} ${r.outcome}`)).toEqual([
      'P-1002 restored',
      'P-1003 not_restored',
      'P-1004 restored',
    ]);
    expect(fake.starts.map((s) => numberOf(s.ref))).toEqual(['P-1002', 'P-1004']);
  });

  it('nothing lost that a sign-in can fix → exit 0 and an empty result', async () => {
    ncs.projects = ncs.projects.filter((p) => p.status !== 'connection_lost' || p.reason === 'permission_denied');
    serve();
    const result = await runNcs(['reconnect', '--all-lost', '--json'], { env: env(), browser: browserDoing([]) });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ results: [] });
    expect(result.stderr).toContain('No lost project');
  });
});
