// `ncs-server vault rekey` (SPEC 4.1, 4.5), on SQLite and PostgreSQL, through the real command line program.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../../src/server/audit/audit-log.js';
import { buildProgram } from '../../../src/server/cli/main.js';
import { openTokens, storeCredential } from '../../../src/server/credentials/store.js';
import { createVault, keyIdOf } from '../../../src/server/vault/vault.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../../support/databases.js';

const kinds = await availableDatabaseKinds();

function collect() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

async function runCli(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = collect();
  const stderr = collect();
  let code = 0;
  const program = buildProgram(env, { stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream }, (exit) => (code = exit));
  await program.parseAsync(['node', 'ncs-server', ...args]);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const tokensFor = (n: number) => ({
  accessToken: `access-${n}-${randomBytes(8).toString('hex')}`,
  refreshToken: `refresh-${n}-${randomBytes(8).toString('hex')}`,
  expiresAt: new Date('2026-01-01T01:30:00Z'),
  expiresInSeconds: 5400,
  createdAt: new Date('2026-01-01T00:00:00Z'),
});

describe.each(kinds)('vault rekey on %s', (kind) => {
  let database: TestDatabase;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const stored: ReturnType<typeof tokensFor>[] = [];

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ncs-vault-'));
    database = await openTestDatabase(kind, kind === 'sqlite' ? { sqliteFile: path.join(dataDir, 'ncs.db') } : {});
    env = { NCS_DATA_DIR: dataDir, ...database.env };
    const oldVault = createVault([oldKey]);
    stored.length = 0;
    for (const n of [1, 2]) {
      const tokens = tokensFor(n);
      stored.push(tokens);
      await storeCredential(database.db, oldVault, {
        procoreUserId: `900000000000${n}`,
        procoreLogin: `user${n}@example.test`,
        tokens,
        redirectUri: 'urn:ietf:wg:oauth:2.0:oob',
        obtainedBy: 'test',
        now: new Date(),
      });
    }
  });
  afterEach(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('re-encrypts every credential with the current key, so the old key can be retired', async () => {
    const result = await runCli(
      { ...env, NCS_ENCRYPTION_KEY: newKey.toString('base64'), NCS_ENCRYPTION_KEYS_OLD: oldKey.toString('base64') },
      ['vault', 'rekey'],
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Re-encrypted 2 of 2 credentials with key ${keyIdOf(newKey)}.\n`);

    const rows = await database.db.selectFrom('credentials').selectAll().orderBy('procore_user_id').execute();
    const newOnly = createVault([newKey]);
    expect(rows.map((row) => openTokens(newOnly, row))).toEqual(stored.map(({ accessToken, refreshToken }) => ({ accessToken, refreshToken })));
    for (const row of rows) expect(newOnly.keyIdOfCiphertext(row.access_token_enc)).toBe(keyIdOf(newKey));
    // The version is the tokens' version: rewrapping them is not a new pair.
    expect(rows.map((row) => row.version)).toEqual([1, 1]);

    const audit = (await listAudit(database.db)).filter((entry) => entry.action === 'vault_rekeyed');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toEqual({ keyId: keyIdOf(newKey), rekeyed: 2, total: 2 });

    const again = await runCli({ ...env, NCS_ENCRYPTION_KEY: newKey.toString('base64') }, ['vault', 'rekey']);
    expect(again.stdout).toBe(`Re-encrypted 0 of 2 credentials with key ${keyIdOf(newKey)}.\n`);
  });

  it('names NCS_ENCRYPTION_KEYS_OLD when a credential is sealed with a key it was not given, and changes nothing', async () => {
    const before = await database.db.selectFrom('credentials').selectAll().orderBy('id').execute();
    const result = await runCli({ ...env, NCS_ENCRYPTION_KEY: newKey.toString('base64') }, ['vault', 'rekey']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('NCS_ENCRYPTION_KEYS_OLD');
    expect(result.stderr).toContain(keyIdOf(oldKey));
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await database.db.selectFrom('credentials').selectAll().orderBy('id').execute()).toEqual(before);
    expect((await listAudit(database.db)).filter((entry) => entry.action === 'vault_rekeyed')).toEqual([]);
  });

  it('names NCS_ENCRYPTION_KEY when no current key is set', async () => {
    const result = await runCli({ ...env }, ['vault', 'rekey']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('NCS_ENCRYPTION_KEY');
  });
});
