// Stored Procore credentials: one per Procore account (keyed by its user id), both tokens sealed by the vault.
import type { Kysely, Selectable } from 'kysely';
import type { ProcoreTokenSet } from '../../procore/index.js';
import type { CredentialsTable, Database } from '../db/schema.js';
import { randomBase32 } from '../ids.js';
import { VaultError, type Vault } from '../vault/vault.js';
import type { DbOrTrx } from '../db/transaction.js';

export type CredentialRow = Selectable<CredentialsTable>;

export interface CredentialTokens {
  accessToken: string;
  refreshToken: string;
}

export type DeadReason = 'token_expired' | 'token_revoked';

export function newCredentialId(): string {
  return `crd_${randomBase32(20)}`;
}

export async function findCredentialById(db: DbOrTrx, id: string): Promise<CredentialRow | undefined> {
  return db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findCredentialByUserId(db: DbOrTrx, procoreUserId: string): Promise<CredentialRow | undefined> {
  return db.selectFrom('credentials').selectAll().where('procore_user_id', '=', procoreUserId).executeTakeFirst();
}

/**
 * The credential an assignment uses (SPEC 3, account matching): by Procore user id once the assignment
 * knows it, else by case-insensitive login (the newest such credential if a login was reused).
 */
export async function findCredentialForAssignment(
  db: DbOrTrx,
  assignment: { procoreUserId: string | null; loginKey: string },
): Promise<CredentialRow | undefined> {
  if (assignment.procoreUserId) return findCredentialByUserId(db, assignment.procoreUserId);
  return db
    .selectFrom('credentials')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['procore_login']), '=', assignment.loginKey))
    .orderBy('obtained_at', 'desc')
    .executeTakeFirst();
}

export function openAccessToken(vault: Vault, row: CredentialRow): string {
  return vault.decrypt(row.access_token_enc, row.id, 'access_token');
}

export function openTokens(vault: Vault, row: CredentialRow): CredentialTokens {
  return { accessToken: openAccessToken(vault, row), refreshToken: vault.decrypt(row.refresh_token_enc, row.id, 'refresh_token') };
}

/** The sealed columns for a new token pair of credential `id`. */
export function sealTokens(vault: Vault, id: string, tokens: ProcoreTokenSet) {
  return {
    access_token_enc: vault.encrypt(tokens.accessToken, id, 'access_token'),
    refresh_token_enc: vault.encrypt(tokens.refreshToken, id, 'refresh_token'),
    expires_at: tokens.expiresAt.toISOString(),
    issued_at: tokens.createdAt.toISOString(),
  };
}

export interface StoreCredentialInput {
  procoreUserId: string;
  procoreLogin: string;
  tokens: ProcoreTokenSet;
  /** The redirect URI the pair was obtained with; Procore's refresh grant gets it again. */
  redirectUri: string;
  /** NCS username of the person who signed in (or `demo`). */
  obtainedBy: string;
  now: Date;
}

export interface StoredCredential {
  credential: CredentialRow;
  /** The tokens the new pair replaced, to revoke at Procore after the commit; null when there were none (or unreadable). */
  replaced: CredentialTokens | null;
}

async function storeIn(trx: DbOrTrx, vault: Vault, input: StoreCredentialInput): Promise<StoredCredential> {
  const old = await findCredentialByUserId(trx, input.procoreUserId);
  const nowIso = input.now.toISOString();
  if (!old) {
    const id = newCredentialId();
    const row: CredentialRow = {
      id,
      procore_user_id: input.procoreUserId,
      procore_login: input.procoreLogin,
      ...sealTokens(vault, id, input.tokens),
      redirect_uri: input.redirectUri,
      obtained_at: nowIso,
      obtained_by: input.obtainedBy,
      version: 1,
      refresh_started_at: null,
      dead_reason: null,
      me_checked_at: nowIso,
      rate_limited_until: null,
      updated_at: nowIso,
    };
    await trx.insertInto('credentials').values(row).execute();
    return { credential: row, replaced: null };
  }
  let replaced: CredentialTokens | null = null;
  try {
    replaced = openTokens(vault, old);
  } catch (error) {
    // A pair sealed with a key no longer configured cannot be revoked; it is still replaced.
    if (!(error instanceof VaultError)) throw error;
  }
  const row: CredentialRow = {
    ...old,
    procore_login: input.procoreLogin,
    ...sealTokens(vault, old.id, input.tokens),
    redirect_uri: input.redirectUri,
    obtained_at: nowIso,
    obtained_by: input.obtainedBy,
    // A refresh of the old pair that is still in flight fails its `WHERE version = :read` and keeps nothing.
    version: old.version + 1,
    refresh_started_at: null,
    dead_reason: null,
    // Intake compared /me with the assignment just now.
    me_checked_at: nowIso,
    updated_at: nowIso,
  };
  const { id: _id, ...changes } = row;
  await trx.updateTable('credentials').set(changes).where('id', '=', old.id).execute();
  return { credential: row, replaced };
}

/** Stores the account's credential, replacing its old one, in the caller's transaction (or a new one). */
export async function storeCredential(db: DbOrTrx, vault: Vault, input: StoreCredentialInput): Promise<StoredCredential> {
  if (db.isTransaction) return storeIn(db, vault, input);
  return (db as Kysely<Database>).transaction().execute((trx) => storeIn(trx, vault, input));
}

/**
 * Marks the credential dead (Procore refused its refresh token) unless someone replaced it meanwhile.
 * Returns false when the version no longer matched.
 */
export async function markCredentialDead(db: DbOrTrx, row: CredentialRow, reason: DeadReason, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('credentials')
    .set({ dead_reason: reason, refresh_started_at: null, version: row.version + 1, updated_at: now.toISOString() })
    .where('id', '=', row.id)
    .where('version', '=', row.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
