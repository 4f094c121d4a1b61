// SPEC 4.4 failover through real sync rounds against the emulator, on SQLite and PostgreSQL: BIC accounts in order,
// dead credentials skipped without a call, transient errors never failing over, standby re-checks, renamed logins.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNTS, PROCORE, SEEDED_RFIS, SEEDED_SUBMITTALS, startSyncWorld, type AccountName, type SyncWorld } from './world.js';

const kinds = await availableDatabaseKinds();
const NUMBER = 'P-200';
const login = (account: AccountName) => encodeURIComponent(ACCOUNTS[account].login);

describe.each(kinds)('sync failover on %s', (kind) => {
  let world: SyncWorld | undefined;
  let w: SyncWorld;

  beforeEach(async () => {
    world = await startSyncWorld(kind);
    w = world;
    await w.connect('alice');
    await w.connect('bob');
    await w.addProject(NUMBER, PROCORE.harbor, ['alice', 'bob']);
  });

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  const mirrorRows = async () => Number((await w.deps.db.selectFrom('mirror_items').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('fails over from a revoked first account to the second: connected, the first account warned about, mirror filled through the second', async () => {
    await w.emulator('POST', `/__emulator/accounts/${login('alice')}/revoke`);
    const report = await w.syncOnce();
    expect(report.synced).toBe(1);

    const detail = await w.project(NUMBER);
    expect(detail.status).toBe('connected');
    expect(detail.reason).toBeNull();
    expect(detail.warnings).toEqual([expect.objectContaining({ code: 'token_revoked', account: ACCOUNTS.alice.login })]);
    expect(detail.accounts).toEqual([expect.objectContaining({ login: ACCOUNTS.alice.login, reason: 'token_revoked' })]);
    expect(detail.sync.rfis).toBe(SEEDED_RFIS);
    expect(detail.sync.submittals).toBe(SEEDED_SUBMITTALS);
    expect(detail.sync.lastSyncAt).not.toBeNull();
    expect((await w.result(NUMBER, 'alice'))?.result).toBe('token_revoked');
    expect((await w.result(NUMBER, 'bob'))?.result).toBe('ok');
    expect((await w.credential('alice')).dead_reason).toBe('token_revoked');
  });

  it('skips a dead credential without a call in later rounds', async () => {
    await w.emulator('POST', `/__emulator/accounts/${login('alice')}/revoke`);
    await w.syncOnce();
    const before = await w.stats();

    const report = await w.syncOnce();
    expect(report.synced).toBe(1);
    const after = await w.stats();
    // Nothing needs a refresh, so any token request would be alice's; bob's round is /me and the two listings.
    expect(after.tokenRequests - before.tokenRequests).toBe(0);
    expect(after.apiRequests - before.apiRequests).toBe(3);
    expect((await w.result(NUMBER, 'alice'))?.result).toBe('token_revoked');
  });

  it('does not fail over on a transient error of the first account: the round fails and the second account is left alone', async () => {
    expect((await w.syncOnce()).synced).toBe(1);
    const bobBefore = await w.result(NUMBER, 'bob');
    expect(bobBefore?.result).toBe('ok');
    const mirroredBefore = await mirrorRows();
    // Something bob would pull, were he used.
    await w.emulator('POST', `/__emulator/projects/${PROCORE.harbor}/rfis`, { subject: 'Raised during the outage' });
    // alice's token is due for refresh and the token endpoint is down; bob's token needs no refresh and the API is up.
    await w.deps.db.updateTable('credentials').set({ expires_at: new Date(Date.now() - 60_000).toISOString() }).where('procore_user_id', '=', ACCOUNTS.alice.id).execute();
    await w.emulator('PUT', '/__emulator/outage', { enabled: true, status: 503, scope: 'token' });
    const before = await w.stats();

    const report = await w.syncOnce();
    expect(report).toMatchObject({ failed: 1, synced: 0, lost: 0 });
    const after = await w.stats();
    expect(after.tokenRequests - before.tokenRequests).toBe(1);
    expect(after.apiRequests - before.apiRequests).toBe(0);
    expect(await w.result(NUMBER, 'bob')).toEqual(bobBefore);
    expect((await w.result(NUMBER, 'alice'))?.result).toBe('ok');
    expect(await mirrorRows()).toBe(mirroredBefore);
    expect(await w.failedRounds(NUMBER)).toBe(1);
    const detail = await w.project(NUMBER);
    expect(detail.status).toBe('connected');
    expect(detail.sync.lastError?.code).toBe('procore_unreachable');

    await w.emulator('PUT', '/__emulator/outage', { enabled: false });
    expect((await w.syncOnce()).synced).toBe(1);
    expect(await mirrorRows()).toBe(mirroredBefore + 1);
    expect(await w.failedRounds(NUMBER)).toBe(0);
    expect((await w.stats()).refreshTokenReuse).toBe(0);
  });

  it('loses the project when every account is broken, with the first account\'s result as the reason', async () => {
    await w.emulator('PUT', `/__emulator/projects/${PROCORE.harbor}/access/${login('alice')}`, { allowed: false });
    await w.emulator('POST', `/__emulator/accounts/${login('bob')}/expire`);
    const report = await w.syncOnce();
    expect(report.lost).toBe(1);

    const detail = await w.project(NUMBER);
    expect(detail.status).toBe('connection_lost');
    expect(detail.reason).toBe('permission_denied');
    expect(detail.accounts).toEqual([
      expect.objectContaining({ login: ACCOUNTS.alice.login, reason: 'permission_denied' }),
      expect.objectContaining({ login: ACCOUNTS.bob.login, reason: 'token_expired' }),
    ]);
    expect(detail.warnings).toEqual([expect.objectContaining({ code: 'token_expired', account: ACCOUNTS.bob.login })]);
    expect(detail.sync.lastError?.code).toBe('permission_denied');
    expect(detail.sync.rfis).toBe(0);
  });

  it('re-checks a standby account refused by Procore every round, and clears it once access is given back', async () => {
    const bobAccess = `/__emulator/projects/${PROCORE.harbor}/access/${login('bob')}`;
    await w.emulator('PUT', bobAccess, { allowed: false });
    expect((await w.syncOnce()).synced).toBe(1);
    const denied = await w.result(NUMBER, 'bob');
    expect(denied?.result).toBe('permission_denied');
    let detail = await w.project(NUMBER);
    expect(detail.status).toBe('connected');
    expect(detail.warnings).toEqual([expect.objectContaining({ code: 'permission_denied', account: ACCOUNTS.bob.login })]);

    // Still refused: checked again (a new checkedAt), not left waiting like a dead credential.
    expect((await w.syncOnce()).synced).toBe(1);
    const deniedAgain = await w.result(NUMBER, 'bob');
    expect(deniedAgain?.result).toBe('permission_denied');
    expect(Date.parse(deniedAgain!.checked_at)).toBeGreaterThan(Date.parse(denied!.checked_at));

    await w.emulator('PUT', bobAccess, { allowed: true });
    expect((await w.syncOnce()).synced).toBe(1);
    expect((await w.result(NUMBER, 'bob'))?.result).toBe('ok');
    detail = await w.project(NUMBER);
    expect(detail.warnings).toEqual([]);
    expect(detail.accounts).toEqual([]);
  });

  it('follows a login renamed at Procore (same user id): stays connected, the assignment and the credential take the new login', async () => {
    expect((await w.syncOnce()).synced).toBe(1);
    const renamed = 'alice.renamed@example.test';
    await w.emulator('PATCH', `/__emulator/accounts/${login('alice')}`, { login: renamed });

    expect((await w.syncOnce()).synced).toBe(1);
    const detail = await w.project(NUMBER);
    expect(detail.status).toBe('connected');
    expect(detail.accounts).toEqual([]);
    expect(detail.ballInCourt[0]).toMatchObject({ username: 'alice', procoreLogin: renamed, procoreUserId: ACCOUNTS.alice.id });
    expect((await w.credential('alice')).procore_login).toBe(renamed);
    expect((await w.result(NUMBER, renamed))?.result).toBe('ok');
    expect(await w.result(NUMBER, 'alice')).toBeUndefined();

    // The next round matches the new login at once: nothing left to rename, still connected.
    expect((await w.syncOnce()).synced).toBe(1);
    expect((await w.project(NUMBER)).status).toBe('connected');
  });
});
