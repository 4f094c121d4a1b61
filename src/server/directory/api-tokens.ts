// API tokens (`ncs_t_…`) for automation: stored hashed, fixed lifetime (90 days by default), listable and revocable by id.
import { newRowId, randomSecret, sha256Hex } from '../ids.js';
import { inTransaction, type DbOrTrx } from '../db/transaction.js';
import { DirectoryError } from './errors.js';
import { usernameKey } from './usernames.js';
import { requireUser } from './users.js';

export const API_TOKEN_PREFIX = 'ncs_t_';
export const DEFAULT_API_TOKEN_LIFETIME_MS = 90 * 86_400_000;
const MIN_LIFETIME_MS = 60_000;
/** A year: a token that outlives that is a forgotten token; create a new one instead. */
const MAX_LIFETIME_MS = 365 * 86_400_000;
const MAX_NAME_LENGTH = 100;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `90d`, `45m` → milliseconds; between one minute and 365 days. */
export function parseTokenLifetime(text: string): number {
  const match = /^\s*(\d{1,6})\s*([mhd])\s*$/i.exec(text);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]! : NaN;
  if (!match || ms < MIN_LIFETIME_MS || ms > MAX_LIFETIME_MS) {
    throw new DirectoryError(
      'invalid_lifetime',
      `"${text}" is not a token lifetime: give a number of minutes, hours or days such as 45m, 12h or 90d (at most 365d).`,
    );
  }
  return ms;
}

export interface CreatedApiToken {
  id: string;
  /** Shown once, at creation; only its SHA-256 is stored. */
  token: string;
  username: string;
  name: string;
  createdAt: string;
  expiresAt: string;
}

export interface ApiTokenListing {
  id: string;
  /** The owner's username, or their stored key once the user was removed. */
  username: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new DirectoryError('invalid_token_name', `The token name must be 1 to ${MAX_NAME_LENGTH} printable characters.`);
  }
  return trimmed;
}

export async function createApiToken(
  db: DbOrTrx,
  input: { username: string; name: string; lifetimeMs?: number },
  now: Date,
): Promise<CreatedApiToken> {
  const name = checkedName(input.name);
  const lifetimeMs = input.lifetimeMs ?? DEFAULT_API_TOKEN_LIFETIME_MS;
  const nowIso = now.toISOString();
  return inTransaction(db, async (trx) => {
    const user = await requireUser(trx, input.username);
    // Two live tokens with one name would make `tokens list` ambiguous about which one a script holds.
    const clash = await trx
      .selectFrom('auth_tokens')
      .select('id')
      .where('kind', '=', 'api')
      .where('username_key', '=', user.usernameKey)
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowIso)
      .executeTakeFirst();
    if (clash) {
      throw new DirectoryError(
        'token_name_taken',
        `${user.username} already has a live API token named "${name}" (${clash.id}); revoke it first or choose another name.`,
      );
    }
    const token = `${API_TOKEN_PREFIX}${randomSecret()}`;
    const id = newRowId('tok', now);
    const expiresAt = new Date(now.getTime() + lifetimeMs).toISOString();
    await trx
      .insertInto('auth_tokens')
      .values({
        id,
        kind: 'api',
        token_hash: sha256Hex(token),
        username_key: user.usernameKey,
        name,
        created_at: nowIso,
        last_used_at: null,
        expires_at: expiresAt,
        absolute_expires_at: expiresAt,
        revoked_at: null,
      })
      .execute();
    return { id, token, username: user.username, name, createdAt: nowIso, expiresAt };
  });
}

export async function listApiTokens(db: DbOrTrx, filter: { username?: string; id?: string } = {}): Promise<ApiTokenListing[]> {
  let query = db
    .selectFrom('auth_tokens')
    .leftJoin('users', 'users.username_key', 'auth_tokens.username_key')
    .select([
      'auth_tokens.id',
      'auth_tokens.username_key',
      'users.username',
      'auth_tokens.name',
      'auth_tokens.created_at',
      'auth_tokens.expires_at',
      'auth_tokens.last_used_at',
      'auth_tokens.revoked_at',
    ])
    .where('auth_tokens.kind', '=', 'api')
    .orderBy('auth_tokens.created_at')
    .orderBy('auth_tokens.id');
  if (filter.username !== undefined) query = query.where('auth_tokens.username_key', '=', usernameKey(filter.username));
  if (filter.id !== undefined) query = query.where('auth_tokens.id', '=', filter.id);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    username: row.username ?? row.username_key,
    name: row.name ?? '',
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }));
}

/** Revokes an API token by the id `tokens list` shows. */
export async function revokeApiToken(db: DbOrTrx, id: string, now: Date): Promise<{ token: ApiTokenListing; alreadyRevoked: boolean }> {
  return inTransaction(db, async (trx) => {
    const [token] = await listApiTokens(trx, { id });
    if (!token) throw new DirectoryError('token_not_found', `There is no API token with id "${id}" (\`ncs-server tokens list\` shows the ids).`);
    if (token.revokedAt) return { token, alreadyRevoked: true };
    const revokedAt = now.toISOString();
    await trx.updateTable('auth_tokens').set({ revoked_at: revokedAt }).where('id', '=', id).execute();
    return { token: { ...token, revokedAt }, alreadyRevoked: false };
  });
}
