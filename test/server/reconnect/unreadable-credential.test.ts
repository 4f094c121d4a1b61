// A credential sealed with a key the server no longer has: the check names the fix, and a round goes on without it.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runChecksForAllProjects } from '../../../src/server/reconnect/checks.js';
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

  it('leaves that project out of a round of checks and checks every other project', async () => {
    world = await startDemoWorld('sqlite');
    await sealMleeWithAForeignKey();
    const results = await runChecksForAllProjects(world.server.deps);
    const numbers = await world.server.deps.db.selectFrom('projects').select(['id', 'number']).execute();
    const checked = numbers.filter((row) => results.has(row.id)).map((row) => row.number).sort();
    expect(checked).toEqual(['P-1002', 'P-1003', 'P-1004', 'P-1005']);
  });
});
