// SPEC 4.3 against the real emulator, on SQLite and PostgreSQL: attempts, code intake, refusals, raw tokens, outages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../../src/server/audit/audit-log.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNT_IDS, CLI_REDIRECTS, LOGINS, dumpIntakeTables, resultOf, startWorld, type World } from './world.js';

const kinds = await availableDatabaseKinds();

describe.each(kinds)('reconnect intake on %s', (kind) => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld(kind);
  });
  afterEach(async () => world?.close());

  const push = (user: Parameters<World['api']>[2], number: string, body: unknown) =>
    world.api('POST', `/api/v1/projects/${number}/procore-token`, user, body);

  it('restores the project and every other project of the account that Procore lists', async () => {
    const body = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    const answer = await push('jsmith', 'P-1002', body);
    expect(answer.statusCode, answer.body).toBe(200);
    const accepted = answer.json();
    expect(accepted.account).toEqual({ id: ACCOUNT_IDS.jsmith, login: LOGINS.jsmith, name: 'JSMITH' });
    expect(accepted.project.number).toBe('P-1002');
    expect(accepted.project.status).toBe('connected');
    // This project first, then the others by number; P-1004 is in another company, listed by its own call.
    expect(accepted.restored.map((item: { number: string }) => item.number)).toEqual(['P-1002', 'P-1003', 'P-1004']);
    expect(accepted.restoredOther).toBe(0);
    expect(await resultOf(world, 'P-1003', LOGINS.jsmith)).toBe('ok');
    expect(await resultOf(world, 'P-1004', LOGINS.jsmith)).toBe('ok');

    const credential = await world.server.deps.db.selectFrom('credentials').selectAll().executeTakeFirstOrThrow();
    expect(credential.procore_user_id).toBe(ACCOUNT_IDS.jsmith);
    expect(credential.redirect_uri).toBe(CLI_REDIRECTS[0]);
    expect(credential.obtained_by).toBe('jsmith');
    const ids = await world.server.deps.db.selectFrom('bic_assignments').select('procore_user_id').where('login_key', '=', LOGINS.jsmith).execute();
    expect(ids.map((row) => row.procore_user_id)).toEqual([ACCOUNT_IDS.jsmith, ACCOUNT_IDS.jsmith, ACCOUNT_IDS.jsmith]);

    const audit = (await listAudit(world.server.deps.db)).find((entry) => entry.action === 'reconnect_succeeded');
    expect(audit?.details.restored).toEqual(['P-1002', 'P-1003', 'P-1004']);
    expect(world.server.deps.metrics.render()).toContain('ncs_reconnects_total{outcome="ok"} 1');
  });

  it('turns the other migrated_from_trimble results of an imported project into unknown on its first intake', async () => {
    expect(await resultOf(world, 'P-1003', LOGINS.mlee)).toBe('migrated_from_trimble');
    const answer = await push('jsmith', 'P-1003', await world.attempt('jsmith', 'P-1003', LOGINS.jsmith));
    expect(answer.statusCode, answer.body).toBe(200);
    expect(await resultOf(world, 'P-1003', LOGINS.jsmith)).toBe('ok');
    expect(await resultOf(world, 'P-1003', LOGINS.mlee)).toBe('unknown');
    expect(answer.json().project.status).toBe('connected');
  });

  it('counts restored projects the caller may not see in restoredOther, not in restored', async () => {
    const answer = await push('padmin', 'P-1002', await world.attempt('padmin', 'P-1002', LOGINS.jsmith));
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().restored.map((item: { number: string }) => item.number)).toEqual(['P-1002']);
    expect(answer.json().restoredOther).toBe(2);
  });

  it('revokes the replaced pair at Procore after storing the new one', async () => {
    await world.storeMinted(LOGINS.jsmith, ACCOUNT_IDS.jsmith);
    expect(await world.liveTokens(LOGINS.jsmith)).toHaveLength(1);
    const answer = await push('jsmith', 'P-1002', await world.attempt('jsmith', 'P-1002', LOGINS.jsmith));
    expect(answer.statusCode, answer.body).toBe(200);
    const live = await world.liveTokens(LOGINS.jsmith);
    expect(live).toHaveLength(1);
    const credential = await world.server.deps.db.selectFrom('credentials').selectAll().executeTakeFirstOrThrow();
    expect(world.server.deps.vault.decrypt(credential.access_token_enc, credential.id, 'access_token')).toBe(live[0]!.accessToken);
    expect(credential.version).toBe(2);
  });

  it('rejects a replayed attempt', async () => {
    const body = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    expect((await push('jsmith', 'P-1002', body)).statusCode).toBe(200);
    const replay = await push('jsmith', 'P-1002', body);
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error.code).toBe('attempt_invalid');
  });

  it('rejects an attempt whose state does not match, and uses it up', async () => {
    const body = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    const tampered = await push('jsmith', 'P-1002', { ...body, state: `${body.state.slice(0, -2)}xx` });
    expect(tampered.statusCode).toBe(409);
    expect(tampered.json().error.code).toBe('attempt_invalid');
    // A guessed state gets one try: the genuine one no longer works either.
    expect((await push('jsmith', 'P-1002', body)).json().error.code).toBe('attempt_invalid');
    expect(await world.server.deps.db.selectFrom('credentials').selectAll().execute()).toEqual([]);
  });

  it('rejects a made-up code with authorization_code_rejected, and uses the attempt up', async () => {
    const body = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    const madeUp = await push('jsmith', 'P-1002', { ...body, code: 'not-a-code-procore-issued' });
    expect(madeUp.statusCode).toBe(422);
    expect(madeUp.json().error.code).toBe('authorization_code_rejected');
    expect((await push('jsmith', 'P-1002', body)).json().error.code).toBe('attempt_invalid');
  });

  it('rejects an expired attempt', async () => {
    const body = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    world.clock.advance(10 * 60_000 + 1);
    const late = await push('jsmith', 'P-1002', body);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('attempt_invalid');
  });

  it("rejects another user's attempt, and an attempt presented for another project", async () => {
    const body = await world.attempt('padmin', 'P-1002', LOGINS.jsmith);
    const stolen = await push('jsmith', 'P-1002', body);
    expect(stolen.statusCode).toBe(409);
    expect(stolen.json().error.code).toBe('attempt_invalid');

    const other = await world.attempt('gadmin', 'P-1002', LOGINS.jsmith);
    const elsewhere = await push('gadmin', 'P-1004', other);
    expect(elsewhere.statusCode).toBe(409);
    expect(elsewhere.json().error.code).toBe('attempt_invalid');
  });

  it('refuses the wrong account with 409 account_mismatch, changes nothing, and revokes its token', async () => {
    const before = await dumpIntakeTables(world);
    const body = await world.attempt('jsmith', 'P-1002', LOGINS.intruder);
    const refused = await push('jsmith', 'P-1002', body);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'account_mismatch',
      details: { signedIn: { id: ACCOUNT_IDS.intruder, login: LOGINS.intruder }, expected: [LOGINS.jsmith] },
    });
    expect(await dumpIntakeTables(world)).toEqual(before);
    expect(await world.liveTokens(LOGINS.intruder)).toEqual([]);
    const audit = (await listAudit(world.server.deps.db)).find((entry) => entry.action === 'reconnect_rejected');
    expect(audit?.details.reason).toBe('account_mismatch');
  });

  it("limits a caller who is only BIC to their own assignment", async () => {
    // mlee is BIC of P-1003 too, but signs in as jsmith, who is P-1003's other BIC account.
    const refused = await push('mlee', 'P-1003', await world.attempt('mlee', 'P-1003', LOGINS.jsmith));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details.expected).toEqual([LOGINS.mlee]);
  });

  it('stores the credential but answers 422 permission_denied, naming the missing tool, with details.restored', async () => {
    // dchan cannot use Depot's Submittals; make dchan BIC of Harbor too, which Procore lists for dchan.
    await world.control('PUT', `/__emulator/projects/${'7000000000001'}/access/${encodeURIComponent(LOGINS.dchan)}`, { allowed: true });
    await world.server.deps.db
      .insertInto('bic_assignments')
      .values({ project_id: world.projectIds['P-1001']!, position: 2, username: 'dchan', username_key: 'dchan', procore_login: LOGINS.dchan, login_key: LOGINS.dchan, procore_user_id: null })
      .execute();
    const answer = await push('gadmin', 'P-1005', await world.attempt('gadmin', 'P-1005', LOGINS.dchan));
    expect(answer.statusCode, answer.body).toBe(422);
    const error = answer.json().error;
    expect(error.code).toBe('permission_denied');
    expect(error.message).toContain('Submittals');
    expect(error.details.missing).toEqual(['submittals']);
    expect(error.details.restored.map((item: { number: string }) => item.number)).toEqual(['P-1001']);
    expect(await resultOf(world, 'P-1005', LOGINS.dchan)).toBe('permission_denied');
    expect(await resultOf(world, 'P-1001', LOGINS.dchan)).toBe('ok');
    expect(await world.server.deps.db.selectFrom('credentials').select('procore_user_id').execute()).toEqual([{ procore_user_id: ACCOUNT_IDS.dchan }]);
  });

  it('answers 503 procore_unreachable with Retry-After during an outage, and stores nothing', async () => {
    const before = await dumpIntakeTables(world);
    const body = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    await world.control('PUT', '/__emulator/outage', { enabled: true, status: 503, retryAfterSeconds: 7 });
    const answer = await push('jsmith', 'P-1002', body);
    expect(answer.statusCode).toBe(503);
    expect(answer.json().error.code).toBe('procore_unreachable');
    expect(answer.headers['retry-after']).toBe('7');
    await world.control('PUT', '/__emulator/outage', { enabled: false });
    expect(await dumpIntakeTables(world)).toEqual(before);
  });

  it('answers 429 rate_limited with Retry-After when Procore rate-limits the intake, and stores nothing', async () => {
    const before = await dumpIntakeTables(world);
    const body = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    // One API call per window: /me passes, the project check is refused with 429.
    await world.control('PUT', '/__emulator/settings', { rateLimitPerWindow: 1, rateLimitWindowSeconds: 3600 });
    const answer = await push('jsmith', 'P-1002', body);
    expect(answer.statusCode, answer.body).toBe(429);
    expect(answer.json().error.code).toBe('rate_limited');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(await dumpIntakeTables(world)).toEqual(before);
  });

  it('never logs a code, state, attempt id or token', async () => {
    const body = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    await push('jsmith', 'P-1002', body);
    const live = await world.liveTokens(LOGINS.jsmith);
    const logs = world.server.logs.text();
    for (const secret of [body.code, body.state, body.attemptId, live[0]!.accessToken, live[0]!.refreshToken]) {
      expect(logs).not.toContain(secret);
    }
  });

  describe('raw token push', () => {
    it('answers 403 to anyone but a Global Admin, before the token is used or revoked', async () => {
      const token = await world.mint(LOGINS.jsmith);
      const refused = await push('padmin', 'P-1002', { token });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('forbidden');
      const live = await world.liveTokens(LOGINS.jsmith);
      expect(live.map((pair) => pair.refreshToken)).toEqual([token.refresh_token]);
      const stats = await world.control('GET', '/__emulator/stats');
      expect(stats.tokenRequests).toBe(0);
    });

    it('refuses a token issued to another application with 422 foreign_application', async () => {
      const token = await world.mint(LOGINS.jsmith, { clientId: 'someone-else' });
      const refused = await push('gadmin', 'P-1002', { token });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().error.code).toBe('foreign_application');
      expect(await world.server.deps.db.selectFrom('credentials').selectAll().execute()).toEqual([]);
    });

    it('refuses a token Procore no longer honours with 422 token_rejected', async () => {
      const token = await world.mint(LOGINS.jsmith);
      await world.control('POST', `/__emulator/accounts/${encodeURIComponent(LOGINS.jsmith)}/revoke`);
      const refused = await push('gadmin', 'P-1002', { token });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().error.code).toBe('token_rejected');
    });

    it('accepts a Global Admin push, rotates it once and keeps only the rotated pair', async () => {
      const token = await world.mint(LOGINS.jsmith);
      const answer = await push('gadmin', 'P-1002', { token });
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json().restored.map((item: { number: string }) => item.number)).toEqual(['P-1002', 'P-1003', 'P-1004']);
      const live = await world.liveTokens(LOGINS.jsmith);
      expect(live).toHaveLength(1);
      expect(live[0]!.refreshToken).not.toBe(token.refresh_token);
      expect(live[0]!.accessToken).not.toBe(token.access_token);
      const credential = await world.server.deps.db.selectFrom('credentials').selectAll().executeTakeFirstOrThrow();
      expect(world.server.deps.vault.decrypt(credential.refresh_token_enc, credential.id, 'refresh_token')).toBe(live[0]!.refreshToken);
      expect(credential.redirect_uri).toBe('urn:ietf:wg:oauth:2.0:oob');
      expect((await world.control('GET', '/__emulator/stats')).refreshTokenReuse).toBe(0);
    });

    it("refuses a pushed token of the wrong account, revoking the rotated pair and changing nothing", async () => {
      const before = await dumpIntakeTables(world);
      const token = await world.mint(LOGINS.intruder);
      const refused = await push('gadmin', 'P-1002', { token });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('account_mismatch');
      expect(await dumpIntakeTables(world)).toEqual(before);
      expect(await world.liveTokens(LOGINS.intruder)).toEqual([]);
    });
  });
});
