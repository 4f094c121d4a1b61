// `ncs-server vault rekey`: re-encrypts every stored Procore credential with NCS_ENCRYPTION_KEY.
import type { Command } from 'commander';
import { appendAudit } from '../audit/audit-log.js';
import { loadServerConfig } from '../config.js';
import { rekeyCredentials } from '../credentials/rekey.js';
import { createVault, VaultError } from '../vault/vault.js';
import { AdminError, type AdminContext } from './context.js';
import type { Runner } from './main.js';

export async function rekeyVault(ctx: AdminContext): Promise<void> {
  if (!ctx.env.NCS_ENCRYPTION_KEY) {
    throw new AdminError('NCS_ENCRYPTION_KEY is not set: set it to the new key (base64 of 32 bytes) and the previous keys in NCS_ENCRYPTION_KEYS_OLD.', 2);
  }
  // Only the keys matter here: the Procore app and public URL that a full start requires are not needed.
  const config = loadServerConfig(ctx.env, { demo: true });
  const vault = createVault(config.encryptionKeys);
  const db = await ctx.openDb();
  let result;
  try {
    result = await rekeyCredentials(db, vault);
  } catch (error) {
    if (error instanceof VaultError) {
      const missingKey = /No key with id (\w+)/.exec(error.message)?.[1];
      throw new AdminError(
        missingKey
          ? `a stored credential is sealed with key ${missingKey}, which is not configured: add that key to NCS_ENCRYPTION_KEYS_OLD (comma-separated) and run the rekey again. Nothing was changed.`
          : `${error.message} Nothing was changed.`,
      );
    }
    throw error;
  }
  await appendAudit(db, {
    actor: 'ncs-server',
    action: 'vault_rekeyed',
    details: { keyId: result.keyId, rekeyed: result.rekeyed, total: result.total },
    at: ctx.now(),
  });
  ctx.io.stdout.write(`Re-encrypted ${result.rekeyed} of ${result.total} credentials with key ${result.keyId}.\n`);
}

export function registerVaultCommands(program: Command, run: Runner): void {
  const vault = program.command('vault').description('The Procore token vault.');
  vault
    .command('rekey')
    .description('Re-encrypt every stored Procore credential with NCS_ENCRYPTION_KEY (older keys in NCS_ENCRYPTION_KEYS_OLD).')
    .action(run(async (ctx) => rekeyVault(ctx)));
}
