// Server-side checks (SPEC 4.2 `check`) against the real emulator, on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runProjectChecks } from '../../../src/server/reconnect/checks.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNT_IDS, LOGINS, PROCORE, resultOf, startWorld, type World } from './world.js';

const kinds = await availableDatabaseKinds();
const HOUR = 3600_000;

describe.each(kinds)('checks on %s', (kind) => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld(kind);
  });
  afterEach(async () => world?.close());

  const check = async (number: string) => {
    const answer = await world.api('POST', `/api/v1/projects/${number}/check`, 'gadmin');
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json().checks as Record<string, unknown>[];
  };
  const emulatorAccount = (login: string) => encodeURIComponent(login);

  it('reports a valid credential with every step reached as ok, and a BIC account without one as no_credential', async () => {
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    const checks = await check('P-1001');
    expect(checks).toEqual([
      { account: LOGINS.mlee, procoreUserId: ACCOUNT_IDS.mlee, credential: 'valid', accountMatches: true, projectReachable: true, toolsReachable: true, reason: 'ok' },
      { account: LOGINS.rkim, procoreUserId: null, credential: 'missing', accountMatches: null, projectReachable: null, toolsReachable: null, reason: 'no_credential' },
    ]);
    expect(await resultOf(world, 'P-1001', LOGINS.mlee)).toBe('ok');
    expect(await resultOf(world, 'P-1001', LOGINS.rkim)).toBe('no_credential');
    // The first match by login recorded the Procore user id on the assignment.
    const assignment = await world.server.deps.db.selectFrom('bic_assignments').select('procore_user_id').where('login_key', '=', LOGINS.mlee).executeTakeFirstOrThrow();
    expect(assignment.procore_user_id).toBe(ACCOUNT_IDS.mlee);
    expect(world.server.deps.metrics.render()).toContain('ncs_checks_total{reason="ok"} 1');
  });

  it('refreshes a credential whose access token is due and reports it as refreshed', async () => {
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(1.5 * HOUR - 4 * 60_000);
    const [first] = await check('P-1001');
    expect(first).toMatchObject({ credential: 'refreshed', reason: 'ok' });
    expect((await world.control('GET', '/__emulator/stats')).tokenRequests).toBe(1);
  });

  it('classifies an expired refresh token as token_expired and the credential as dead', async () => {
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    await world.control('POST', `/__emulator/accounts/${emulatorAccount(LOGINS.mlee)}/expire`);
    const [first] = await check('P-1001');
    expect(first).toMatchObject({ credential: 'dead', accountMatches: null, reason: 'token_expired' });
    expect(await resultOf(world, 'P-1001', LOGINS.mlee)).toBe('token_expired');
    const credential = await world.server.deps.db.selectFrom('credentials').selectAll().executeTakeFirstOrThrow();
    expect(credential.dead_reason).toBe('token_expired');
  });

  it('classifies a revoked token as token_revoked, and does not call Procore again for a dead credential', async () => {
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    await world.control('POST', `/__emulator/accounts/${emulatorAccount(LOGINS.mlee)}/revoke`);
    const [first] = await check('P-1001');
    expect(first).toMatchObject({ credential: 'dead', reason: 'token_revoked' });
    expect(await resultOf(world, 'P-1001', LOGINS.mlee)).toBe('token_revoked');
    const calls = await world.control('GET', '/__emulator/stats');
    const [again] = await check('P-1001');
    expect(again).toMatchObject({ credential: 'dead', reason: 'token_revoked' });
    expect(await world.control('GET', '/__emulator/stats')).toEqual(calls);
  });

  it('reports permission_denied with projectReachable false when the account lost access to the project', async () => {
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    await world.control('PUT', `/__emulator/projects/${PROCORE.harbor}/access/${emulatorAccount(LOGINS.mlee)}`, { allowed: false });
    const [first] = await check('P-1001');
    expect(first).toMatchObject({ credential: 'valid', accountMatches: true, projectReachable: false, toolsReachable: null, reason: 'permission_denied' });
    expect(await resultOf(world, 'P-1001', LOGINS.mlee)).toBe('permission_denied');
  });

  it('reports permission_denied with toolsReachable false when a tool answers 403', async () => {
    await world.storeMinted(LOGINS.dchan, ACCOUNT_IDS.dchan);
    const [first] = await check('P-1005');
    expect(first).toMatchObject({ accountMatches: true, projectReachable: true, toolsReachable: false, reason: 'permission_denied' });
    expect(await resultOf(world, 'P-1005', LOGINS.dchan)).toBe('permission_denied');
  });

  it('never overwrites migrated_from_trimble and reports what it found only in the answer', async () => {
    await world.storeMinted(LOGINS.jsmith, ACCOUNT_IDS.jsmith);
    const checks = await check('P-1003');
    expect(checks.map((c) => c.reason)).toEqual(['ok', 'no_credential']);
    expect(await resultOf(world, 'P-1003', LOGINS.jsmith)).toBe('migrated_from_trimble');
    expect(await resultOf(world, 'P-1003', LOGINS.mlee)).toBe('migrated_from_trimble');
  });

  it('reports account_mismatch when the credential signs in as another Procore account', async () => {
    // A credential stored under jsmith's login whose token is the intruder's (the login was given to someone else).
    const minted = await world.storeMinted(LOGINS.intruder, ACCOUNT_IDS.intruder);
    await world.server.deps.db.updateTable('credentials').set({ procore_login: LOGINS.jsmith }).where('id', '=', minted.id).execute();
    const [first] = await check('P-1002');
    expect(first).toMatchObject({ credential: 'valid', accountMatches: false, projectReachable: null, reason: 'account_mismatch' });
    expect(await resultOf(world, 'P-1002', LOGINS.jsmith)).toBe('account_mismatch');
  });

  it('stores nothing for an account when Procore is unreachable, and says so in the answer', async () => {
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    await check('P-1001');
    const before = await world.server.deps.db.selectFrom('account_results').selectAll().where('login_key', '=', LOGINS.mlee).execute();
    await world.control('PUT', '/__emulator/outage', { enabled: true, status: 502 });
    world.clock.advance(60_000);
    const [first] = await check('P-1001');
    expect(first).toMatchObject({ credential: 'valid', reason: 'procore_unreachable' });
    expect(await world.server.deps.db.selectFrom('account_results').selectAll().where('login_key', '=', LOGINS.mlee).execute()).toEqual(before);
  });

  it('runs the same checks through runProjectChecks as through the route', async () => {
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    const checks = await runProjectChecks(world.server.deps, world.projectIds['P-1001']!);
    expect(checks.map((c) => c.reason)).toEqual(['ok', 'no_credential']);
  });
});
