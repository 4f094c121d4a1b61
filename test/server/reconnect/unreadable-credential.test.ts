// A credential sealed with a key the server no longer has: the check names the fix, and a sync pass goes on without it.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { requestSync, runSyncPass } from '../../../src/server/sync/run-pass.js';
import { createVault } from '../../../src/server/vault/vault.js';
import { startDemoWorld, type DemoWorld } from '../../support/demo-world.js';

describe('a credential whose key is not configured', () => {
  let world: DemoWorld;
  afterEach(async () => world?.close());

  async function sealMleeWithAForeignKey(): Promise<void> {
    const db = world.server.deps.db;
    const credential = await db.selectFrom('credentials').selectAll().where('procore_login', '=', 'mlee@demo.example').executeTakeFirstOrThrow();
    const foreign = createVault([randomBytes(32)]);
    await db
      .updateTable('credentials')
      .set({
        access_token_enc: foreign.encrypt('unreadable-access', credential.id, 'access_token'),
        refresh_token_enc: foreign.encrypt('unreadable-refresh', credential.id, 'refresh_token'),
      })
      .where('id', '=', credential.id)
      .execute();
  }

  it('answers the check with credential_unreadable and a hint naming NCS_ENCRYPTION_KEYS_OLD', async () => {
    world = await startDemoWorld('sqlite');
    await sealMleeWithAForeignKey();
    const token = await world.signIn('gadmin');
    const response = await world.server.app.inject({ method: 'POST', url: '/api/v1/projects/P-1001/check', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ error: { code: 'credential_unreadable', hint: expect.stringContaining('NCS_ENCRYPTION_KEYS_OLD') } });
  });

  it('fails that project\'s sync round with a message naming the fix, and syncs every other project', async () => {
    world = await startDemoWorld('sqlite');
    await sealMleeWithAForeignKey();
    await requestSync(world.server.deps, (await world.server.deps.db.selectFrom('projects').select('id').execute()).map((row) => row.id));
    const report = await runSyncPass(world.server.deps);
    expect(report).toMatchObject({ failed: 1, lost: 3, skipped: 1, errors: 0 });
    const token = await world.signIn('gadmin');
    const detail = await world.server.app.inject({ method: 'GET', url: '/api/v1/projects/P-1001', headers: { authorization: `Bearer ${token}` } });
    // The account is not to blame: P-1001 keeps its status, and the error says what the administrator must do.
    expect(detail.json()).toMatchObject({
      status: 'connected',
      sync: { lastError: { code: 'credential_unreadable', message: expect.stringContaining('NCS_ENCRYPTION_KEYS_OLD') } },
    });
  });
});
