// Tokens at rest (SPEC 4.5, 9.3): no live Procore token in clear anywhere in the database; ciphertexts bound to their row and field.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCredentialById, openTokens } from '../../../src/server/credentials/store.js';
import { VaultError } from '../../../src/server/vault/vault.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNT_IDS, LOGINS, startWorld, type World } from '../reconnect/world.js';

const kinds = await availableDatabaseKinds();

const TABLES = [
  'users', 'project_admins', 'auth_tokens', 'sign_in_failures', 'projects', 'bic_assignments',
  'account_results', 'credentials', 'leases', 'reconnect_attempts', 'audit_log', 'mirror_items',
] as const;

describe.each(kinds)('tokens at rest on %s', (kind) => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld(kind);
  });
  afterEach(async () => world?.close());

  it('keeps no live Procore token in clear in any table', async () => {
    const attempt = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    expect((await world.api('POST', '/api/v1/projects/P-1002/procore-token', 'jsmith', attempt)).statusCode).toBe(200);
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    const pushed = await world.mint(LOGINS.dchan);
    await world.api('POST', '/api/v1/projects/P-1005/procore-token', 'gadmin', { token: pushed });
    world.clock.advance(86 * 60_000);
    await world.api('POST', '/api/v1/projects/P-1001/check', 'gadmin');

    let everything = '';
    for (const table of TABLES) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(world.server.deps.db);
      everything += JSON.stringify(rows.rows);
    }
    const secrets: string[] = [];
    for (const login of [LOGINS.jsmith, LOGINS.mlee, LOGINS.dchan]) {
      const live = await world.liveTokens(login);
      expect(live.length).toBeGreaterThan(0);
      for (const pair of live) secrets.push(pair.accessToken, pair.refreshToken);
    }
    secrets.push(attempt.code, attempt.state, pushed.access_token, pushed.refresh_token);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    const logs = world.server.logs.text();
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });

  it('refuses a ciphertext moved to another row or another field', async () => {
    const mlee = await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    const jsmith = await world.storeMinted(LOGINS.jsmith, ACCOUNT_IDS.jsmith);
    const vault = world.server.deps.vault;
    expect(openTokens(vault, mlee).accessToken).toBeTruthy();

    await world.server.deps.db.updateTable('credentials').set({ access_token_enc: jsmith.access_token_enc }).where('id', '=', mlee.id).execute();
    const swapped = (await findCredentialById(world.server.deps.db, mlee.id))!;
    expect(() => openTokens(vault, swapped)).toThrow(VaultError);

    expect(() => vault.decrypt(jsmith.refresh_token_enc, jsmith.id, 'access_token')).toThrow(VaultError);
    expect(() => vault.decrypt(jsmith.access_token_enc, jsmith.id, 'access_token')).not.toThrow();
  });
});
