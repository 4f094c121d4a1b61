// Sessions (`ncs_s_…`): 256-bit random, stored as SHA-256 only, 12 h sliding within 7 days absolute.
import { SESSION_ABSOLUTE_MS, SESSION_SLIDING_MS } from '../http/authenticate.js';
import { newRowId, randomSecret, sha256Hex } from '../ids.js';
import type { DbOrTrx } from '../db/transaction.js';

export const SESSION_PREFIX = 'ncs_s_';

export interface CreatedSession {
  id: string;
  /** Handed to the client once; only its SHA-256 is stored. */
  token: string;
  expiresAt: string;
  absoluteExpiresAt: string;
}

export async function createSession(db: DbOrTrx, usernameKey: string, now: Date): Promise<CreatedSession> {
  const token = `${SESSION_PREFIX}${randomSecret()}`;
  const id = newRowId('ses', now);
  const expiresAt = new Date(now.getTime() + SESSION_SLIDING_MS).toISOString();
  const absoluteExpiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString();
  await db
    .insertInto('auth_tokens')
    .values({
      id,
      kind: 'session',
      token_hash: sha256Hex(token),
      username_key: usernameKey,
      name: null,
      created_at: now.toISOString(),
      last_used_at: null,
      expires_at: expiresAt,
      absolute_expires_at: absoluteExpiresAt,
      revoked_at: null,
    })
    .execute();
  return { id, token, expiresAt, absoluteExpiresAt };
}

/** Revokes one session by id; false when it is not a live session. */
export async function revokeSession(db: DbOrTrx, sessionId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('auth_tokens')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', sessionId)
    .where('kind', '=', 'session')
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
