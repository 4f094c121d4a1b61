// Test helpers for project tests: NCS users with bearer tokens and roles, written straight to the tables.
import type { Db } from '../../../src/server/db/connect.js';
import { randomSecret, sha256Hex } from '../../../src/server/ids.js';

export interface TestViewerOptions {
  username: string;
  displayName?: string;
  globalAdmin?: boolean;
  /** Project ids the user is Project Admin of. */
  projectAdminOf?: string[];
}

/** Creates the user and a session; returns the `Authorization` header value. */
export async function createViewer(db: Db, options: TestViewerOptions): Promise<string> {
  const key = options.username.toLowerCase();
  const now = new Date();
  await db
    .insertInto('users')
    .values({
      username_key: key,
      username: options.username,
      display_name: options.displayName ?? options.username,
      password_hash: 'not-used-in-these-tests',
      is_global_admin: options.globalAdmin ? 1 : 0,
      created_at: now.toISOString(),
    })
    .execute();
  for (const projectId of options.projectAdminOf ?? []) {
    await db.insertInto('project_admins').values({ username_key: key, project_id: projectId }).execute();
  }
  const token = `ncs_s_${randomSecret()}`;
  await db
    .insertInto('auth_tokens')
    .values({
      id: `tok_${randomSecret().slice(0, 12)}`,
      kind: 'session',
      token_hash: sha256Hex(token),
      username_key: key,
      name: null,
      created_at: now.toISOString(),
      last_used_at: null,
      expires_at: new Date(now.getTime() + 365 * 86400_000).toISOString(),
      absolute_expires_at: new Date(now.getTime() + 365 * 86400_000).toISOString(),
      revoked_at: null,
    })
    .execute();
  return `Bearer ${token}`;
}

export async function insertCredential(db: Db, account: { procoreUserId: string; login: string; deadReason?: string | null }): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('credentials')
    .values({
      id: `cred_${account.procoreUserId}`,
      procore_user_id: account.procoreUserId,
      procore_login: account.login,
      access_token_enc: 'v1:test',
      refresh_token_enc: 'v1:test',
      expires_at: now,
      redirect_uri: 'http://localhost:5599/callback',
      obtained_at: now,
      obtained_by: 'test',
      version: 1,
      refresh_started_at: null,
      dead_reason: account.deadReason ?? null,
      updated_at: now,
    })
    .execute();
}

export async function countRows(db: Db, table: 'projects' | 'bic_assignments' | 'account_results' | 'audit_log'): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
