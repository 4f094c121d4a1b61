// Token refresh (SPEC 4.4) against the real emulator, on SQLite and PostgreSQL: threshold, lease, version, mid-refresh.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { obtainAccessToken, refreshCredential, refreshDue, refreshLeaseName } from '../../../src/server/credentials/refresh.js';
import { CredentialSession, CredentialUnusableError, withAccessToken } from '../../../src/server/credentials/session.js';
import { ProcoreError } from '../../../src/procore/index.js';
import { findCredentialById, openTokens } from '../../../src/server/credentials/store.js';
import { tryAcquireLease } from '../../../src/server/leases.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNT_IDS, LOGINS, startWorld, type World } from '../reconnect/world.js';

const MINUTE = 60_000;

describe('refreshDue', () => {
  const issued = Date.parse('2026-01-01T00:00:00Z');
  const row = (lifetimeMs: number) => ({ issued_at: new Date(issued).toISOString(), expires_at: new Date(issued + lifetimeMs).toISOString() });
  it.each([
    // [lifetime, elapsed, due]: the margin is min(5 min, lifetime / 2).
    [90 * MINUTE, 84 * MINUTE, false],
    [90 * MINUTE, 85 * MINUTE + 1, true],
    [6 * MINUTE, 2 * MINUTE, false],
    [6 * MINUTE, 3 * MINUTE + 1, true],
    [60_000, 29_000, false],
    [60_000, 31_000, true],
  ])('with a lifetime of %i ms, after %i ms it is due: %s', (lifetime, elapsed, due) => {
    expect(refreshDue(row(lifetime), new Date(issued + elapsed))).toBe(due);
  });

  it('uses the 5 minute margin when the issue time is unknown', () => {
    const expiresAt = new Date(issued + 90 * MINUTE).toISOString();
    expect(refreshDue({ issued_at: null, expires_at: expiresAt }, new Date(issued + 84 * MINUTE))).toBe(false);
    expect(refreshDue({ issued_at: null, expires_at: expiresAt }, new Date(issued + 86 * MINUTE))).toBe(true);
  });
});

const kinds = await availableDatabaseKinds();

describe.each(kinds)('refresh on %s', (kind) => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld(kind);
  });
  afterEach(async () => world?.close());

  const stats = () => world.control('GET', '/__emulator/stats');

  it('keeps using a token that is not due, without calling Procore', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    const outcome = await obtainAccessToken(world.server.deps, stored);
    expect(outcome).toMatchObject({ kind: 'usable', refreshed: false });
    expect((await stats()).tokenRequests).toBe(0);
  });

  it('stores the rotated pair with a new version when the token is due', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(86 * MINUTE);
    const outcome = await obtainAccessToken(world.server.deps, stored);
    expect(outcome).toMatchObject({ kind: 'usable', refreshed: true });
    const row = (await findCredentialById(world.server.deps.db, stored.id))!;
    expect(row.version).toBe(stored.version + 1);
    expect(row.refresh_started_at).toBeNull();
    const live = await world.liveTokens(LOGINS.mlee);
    expect(openTokens(world.server.deps.vault, row)).toEqual({ accessToken: live[0]!.accessToken, refreshToken: live[0]!.refreshToken });
    expect(Date.parse(row.expires_at)).toBe(world.clock.now().getTime() - (world.clock.now().getTime() % 1000) + 5400_000);
  });

  it('sends one refresh when two instances refresh one account at once, and never reuses a refresh token', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(86 * MINUTE);
    const other = { ...world.server.deps, instanceId: 'other-instance' };
    const [a, b, c] = await Promise.all([
      refreshCredential(world.server.deps, stored),
      refreshCredential(other, stored),
      refreshCredential(world.server.deps, stored),
    ]);
    expect((await stats()).tokenRequests).toBe(1);
    expect((await stats()).refreshTokenReuse).toBe(0);
    for (const outcome of [a, b, c]) expect(outcome.kind).toBe('usable');
    const tokens = [a, b, c].map((outcome) => (outcome.kind === 'usable' ? outcome.accessToken : ''));
    expect(new Set(tokens).size).toBe(1);
    expect((await findCredentialById(world.server.deps.db, stored.id))!.version).toBe(stored.version + 1);
    expect(await world.liveTokens(LOGINS.mlee)).toHaveLength(1);
  });

  it('skips the refresh when the version changed after it was read', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(86 * MINUTE);
    await refreshCredential(world.server.deps, stored);
    // A second refresh from the stale read must not send the rotated-away refresh token.
    const stale = await refreshCredential(world.server.deps, stored);
    expect(stale).toMatchObject({ kind: 'usable', refreshed: true });
    expect((await stats()).tokenRequests).toBe(1);
    expect((await stats()).refreshTokenReuse).toBe(0);
  });

  it('waits for a refresh another holder is running instead of sending its own', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    const now = world.clock.now();
    expect(await tryAcquireLease(world.server.deps.db, refreshLeaseName(ACCOUNT_IDS.mlee), 'elsewhere', 60_000, now)).toBe(true);
    const waiting = refreshCredential(world.server.deps, stored);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The other holder finishes: a new version appears, and its lease is still held.
    await world.server.deps.db.updateTable('credentials').set({ version: stored.version + 1 }).where('id', '=', stored.id).execute();
    const outcome = await waiting;
    expect(outcome.kind).toBe('usable');
    expect((await stats()).tokenRequests).toBe(0);
  });

  it('marks a credential caught mid-refresh whose rotation was lost token_revoked ("refresh interrupted")', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    // An instance sent the refresh and died before storing the answer: Procore rotated the pair, we kept the old one.
    const { refreshToken } = openTokens(world.server.deps.vault, stored);
    await world.server.deps.procore.refreshAccessToken({ refreshToken, redirectUri: stored.redirect_uri });
    await world.server.deps.db.updateTable('credentials').set({ refresh_started_at: world.clock.now().toISOString() }).where('id', '=', stored.id).execute();
    const caught = (await findCredentialById(world.server.deps.db, stored.id))!;
    const outcome = await obtainAccessToken(world.server.deps, caught);
    expect(outcome).toMatchObject({ kind: 'dead', reason: 'token_revoked', message: 'refresh interrupted' });
    const row = (await findCredentialById(world.server.deps.db, stored.id))!;
    expect(row.dead_reason).toBe('token_revoked');
    expect(row.refresh_started_at).toBeNull();
  });

  it('recovers a credential caught mid-refresh when its refresh never reached Procore', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    await world.server.deps.db.updateTable('credentials').set({ refresh_started_at: world.clock.now().toISOString() }).where('id', '=', stored.id).execute();
    const caught = (await findCredentialById(world.server.deps.db, stored.id))!;
    // Not due at all: a recorded start alone makes it try once.
    const outcome = await obtainAccessToken(world.server.deps, caught);
    expect(outcome).toMatchObject({ kind: 'usable', refreshed: true });
    expect((await findCredentialById(world.server.deps.db, stored.id))!.refresh_started_at).toBeNull();
  });

  it('never retries the refresh grant, and treats a lost connection as caught mid-refresh', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(86 * MINUTE);
    await world.control('PUT', '/__emulator/outage', { enabled: true, mode: 'reset' });
    const lost = await obtainAccessToken(world.server.deps, stored);
    expect(lost).toMatchObject({ kind: 'transient', reason: 'procore_unreachable' });
    expect((await stats()).tokenRequests).toBe(1);
    const row = (await findCredentialById(world.server.deps.db, stored.id))!;
    expect(row.refresh_started_at).not.toBeNull();
    expect(row.dead_reason).toBeNull();

    await world.control('PUT', '/__emulator/outage', { enabled: false });
    const recovered = await obtainAccessToken(world.server.deps, row);
    expect(recovered).toMatchObject({ kind: 'usable', refreshed: true });
    expect(world.server.deps.metrics.render()).toContain('ncs_token_refreshes_total{outcome="procore_unreachable"} 1');
  });

  it('clears the recorded start when the refresh was answered 429 (Procore did not take it)', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(86 * MINUTE);
    await world.control('PUT', '/__emulator/outage', { enabled: true, status: 429, retryAfterSeconds: 30 });
    const limited = await obtainAccessToken(world.server.deps, stored);
    expect(limited).toMatchObject({ kind: 'transient', reason: 'rate_limited', retryAfterSeconds: 30 });
    expect((await findCredentialById(world.server.deps.db, stored.id))!.refresh_started_at).toBeNull();
  });

  it('refreshes once and retries once after a 401 on a stored access token', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    // The stored expiry says "valid", but Procore's access token has run out: only the 401 tells.
    await world.server.deps.db.updateTable('credentials').set({ expires_at: '2100-01-01T00:00:00.000Z' }).where('id', '=', stored.id).execute();
    world.clock.advance(91 * MINUTE);
    const row = (await findCredentialById(world.server.deps.db, stored.id))!;
    const me = await withAccessToken(world.server.deps, row, (token) => world.server.deps.procore.getMe(token));
    expect(me.id).toBe(ACCOUNT_IDS.mlee);
    expect((await stats()).tokenRequests).toBe(1);
    expect((await findCredentialById(world.server.deps.db, stored.id))!.version).toBe(stored.version + 1);
  });

  it("classifies a 401 by the refresh's answer: a revoked grant makes the credential dead", async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    await world.control('POST', `/__emulator/accounts/${encodeURIComponent(LOGINS.mlee)}/revoke`);
    const failure = await withAccessToken(world.server.deps, stored, (token) => world.server.deps.procore.getMe(token)).catch((error) => error);
    expect(failure).toBeInstanceOf(CredentialUnusableError);
    expect((failure as CredentialUnusableError).outcome).toMatchObject({ kind: 'dead', reason: 'token_revoked' });
    expect(world.server.deps.metrics.render()).toContain('ncs_token_refreshes_total{outcome="token_revoked"} 1');
  });

  it('refreshes again, rather than calling the grant revoked, when a token it just obtained has run out by the 401', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(86 * MINUTE);
    const session = new CredentialSession(world.server.deps, stored);
    let calls = 0;
    const me = await session.call(async (token) => {
      calls += 1;
      if (calls === 1) {
        // A long operation: the fresh token's 90 minutes pass before this call reaches Procore.
        world.clock.advance(91 * MINUTE);
        throw new ProcoreError('unauthorized', 'Procore answered 401', { status: 401 });
      }
      return world.server.deps.procore.getMe(token);
    });
    expect(me.id).toBe(ACCOUNT_IDS.mlee);
    expect(calls).toBe(2);
    const row = (await findCredentialById(world.server.deps.db, stored.id))!;
    expect(row.dead_reason).toBeNull();
    expect(row.version).toBe(stored.version + 2);
  });

  it('takes a 401 on a token it just obtained, still within its lifetime, as a revoked grant', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(86 * MINUTE);
    await world.control('PUT', '/__emulator/outage', { enabled: true, status: 401, scope: 'api' });
    const failure = await withAccessToken(world.server.deps, stored, (token) => world.server.deps.procore.getMe(token)).catch((error) => error);
    expect((failure as CredentialUnusableError).outcome).toMatchObject({ kind: 'dead', reason: 'token_revoked' });
    expect((await findCredentialById(world.server.deps.db, stored.id))!.dead_reason).toBe('token_revoked');
  });

  it('retries with the current pair, rather than calling the grant revoked, when another operation rotated it meanwhile', async () => {
    const stored = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(86 * MINUTE);
    const session = new CredentialSession(world.server.deps, stored);
    expect(await session.token()).toMatchObject({ kind: 'usable', refreshed: true });
    // Another instance refreshes the pair again: Procore's rotation kills the access token this session holds.
    const rotated = (await findCredentialById(world.server.deps.db, stored.id))!;
    expect(await refreshCredential(world.server.deps, rotated)).toMatchObject({ kind: 'usable', refreshed: true });
    const me = await session.call((token) => world.server.deps.procore.getMe(token));
    expect(me.id).toBe(ACCOUNT_IDS.mlee);
    const row = (await findCredentialById(world.server.deps.db, stored.id))!;
    expect(row).toMatchObject({ dead_reason: null, version: stored.version + 2 });
    expect((await stats()).refreshTokenReuse).toBe(0);
  });
});
