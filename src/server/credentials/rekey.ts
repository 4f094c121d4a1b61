// `vault rekey`: re-encrypts every stored credential with the current key, so old keys can be retired.
import type { Db } from '../db/connect.js';
import type { Vault } from '../vault/vault.js';
import { findCredentialById, type CredentialRow } from './store.js';

export interface RekeyResult {
  /** Credentials stored. */
  total: number;
  /** Credentials that were sealed with an older key and now use the current one. */
  rekeyed: number;
  keyId: string;
}

/** A concurrent refresh rewrites a row under us at most a few times; past that, something is wrong. */
const MAX_ATTEMPTS_PER_ROW = 5;

function sealedWithOtherKey(vault: Vault, row: CredentialRow): boolean {
  return (
    vault.keyIdOfCiphertext(row.access_token_enc) !== vault.currentKeyId ||
    vault.keyIdOfCiphertext(row.refresh_token_enc) !== vault.currentKeyId
  );
}

/**
 * Rewrites each credential sealed with another key. Every row is decrypted first (a missing old key
 * fails before anything is written); each write is conditional on the version read, so a refresh
 * that lands meanwhile is re-read rather than overwritten with its stale tokens.
 */
export async function rekeyCredentials(db: Db, vault: Vault): Promise<RekeyResult> {
  const rows = await db.selectFrom('credentials').selectAll().orderBy('id').execute();
  for (const row of rows) {
    vault.decrypt(row.access_token_enc, row.id, 'access_token');
    vault.decrypt(row.refresh_token_enc, row.id, 'refresh_token');
  }
  let rekeyed = 0;
  for (const first of rows) {
    let row: CredentialRow | undefined = first;
    for (let attempt = 0; row && sealedWithOtherKey(vault, row); attempt++) {
      if (attempt >= MAX_ATTEMPTS_PER_ROW) throw new Error(`credential ${row.id} kept changing during the rekey; run it again`);
      const written = await db
        .updateTable('credentials')
        .set({
          access_token_enc: vault.encrypt(vault.decrypt(row.access_token_enc, row.id, 'access_token'), row.id, 'access_token'),
          refresh_token_enc: vault.encrypt(vault.decrypt(row.refresh_token_enc, row.id, 'refresh_token'), row.id, 'refresh_token'),
        })
        .where('id', '=', row.id)
        .where('version', '=', row.version)
        .executeTakeFirst();
      if (Number(written.numUpdatedRows) > 0) {
        rekeyed++;
        break;
      }
      row = await findCredentialById(db, row.id);
    }
  }
  return { total: rows.length, rekeyed, keyId: vault.currentKeyId };
}
