// NCS users of the local directory: create, rename, change password, remove, list, and their admin roles.
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { recomputeProjectsForBicUser } from '../projects/project-state.js';
import { inTransaction, type DbOrTrx } from '../db/transaction.js';
import { DirectoryError } from './errors.js';
import { hashPassword, MAX_PASSWORD_LENGTH } from './passwords.js';
import { usernameKey, usernameProblem } from './usernames.js';

export interface UserRecord {
  username: string;
  usernameKey: string;
  displayName: string;
  isGlobalAdmin: boolean;
  createdAt: string;
}

export interface UserListing extends UserRecord {
  /** Project numbers, byte order. */
  projectAdminOf: string[];
}

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  isGlobalAdmin?: boolean;
}

const MAX_DISPLAY_NAME_LENGTH = 200;

function toRecord(row: Database['users']): UserRecord {
  return {
    username: row.username,
    usernameKey: row.username_key,
    displayName: row.display_name,
    isGlobalAdmin: row.is_global_admin === 1,
    createdAt: row.created_at,
  };
}

function checkedDisplayName(displayName: string): string {
  const trimmed = displayName.trim();
  if (!trimmed || trimmed.length > MAX_DISPLAY_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new DirectoryError('invalid_display_name', `The display name must be 1 to ${MAX_DISPLAY_NAME_LENGTH} printable characters.`);
  }
  return trimmed;
}

/** The directory has no minimum length (the demo seeds "demo"); `ncs-server users add|passwd` asks for 8 or more. */
function checkedPassword(password: string): string {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
    throw new DirectoryError('invalid_password', `The password must be 1 to ${MAX_PASSWORD_LENGTH} characters.`);
  }
  return password;
}

export async function findUser(db: DbOrTrx, username: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username_key', '=', usernameKey(username)).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export async function requireUser(db: DbOrTrx, username: string): Promise<UserRecord> {
  const user = await findUser(db, username);
  if (!user) throw new DirectoryError('user_not_found', `There is no NCS user "${username}".`, { username });
  return user;
}

export async function createUser(db: DbOrTrx, input: NewUser, now: Date): Promise<UserRecord> {
  const problem = usernameProblem(input.username);
  if (problem) throw new DirectoryError('invalid_username', problem, { username: input.username });
  const displayName = checkedDisplayName(input.displayName);
  const passwordHash = await hashPassword(checkedPassword(input.password));
  const row: Database['users'] = {
    username_key: usernameKey(input.username),
    username: input.username,
    display_name: displayName,
    password_hash: passwordHash,
    is_global_admin: input.isGlobalAdmin ? 1 : 0,
    created_at: now.toISOString(),
  };
  return inTransaction(db, async (trx) => {
    const existing = await findUser(trx, input.username);
    if (existing) {
      throw new DirectoryError('user_exists', `The NCS user "${existing.username}" already exists.`, { username: existing.username });
    }
    await trx.insertInto('users').values(row).execute();
    // Projects where this user is ball-in-court show the display name in their read model.
    await recomputeProjectsForBicUser(trx, row.username_key, now);
    return toRecord(row);
  });
}

export async function renameUser(db: DbOrTrx, username: string, displayName: string, now: Date): Promise<UserRecord> {
  const checked = checkedDisplayName(displayName);
  return inTransaction(db, async (trx) => {
    const user = await requireUser(trx, username);
    await trx.updateTable('users').set({ display_name: checked }).where('username_key', '=', user.usernameKey).execute();
    await recomputeProjectsForBicUser(trx, user.usernameKey, now);
    return { ...user, displayName: checked };
  });
}

/**
 * Sets a new password and ends the user's sessions (a reset usually follows a leak); API tokens stay,
 * since automation holds them and `tokens revoke` ends them one by one.
 */
export async function setPassword(db: DbOrTrx, username: string, password: string, now: Date): Promise<{ user: UserRecord; revokedSessions: number }> {
  const passwordHash = await hashPassword(checkedPassword(password));
  return inTransaction(db, async (trx) => {
    const user = await requireUser(trx, username);
    await trx.updateTable('users').set({ password_hash: passwordHash }).where('username_key', '=', user.usernameKey).execute();
    const revoked = await trx
      .updateTable('auth_tokens')
      .set({ revoked_at: now.toISOString() })
      .where('username_key', '=', user.usernameKey)
      .where('kind', '=', 'session')
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return { user, revokedSessions: Number(revoked.numUpdatedRows) };
  });
}

export interface RemovedUser {
  user: UserRecord;
  revokedTokens: number;
  projectAdminGrants: number;
}

/**
 * Removes the user, their project-admin grants, and revokes their sessions and API tokens (revoked rather
 * than deleted, so a user re-added under the same name never brings an old token back to life).
 */
export async function removeUser(db: DbOrTrx, username: string, now: Date): Promise<RemovedUser> {
  return inTransaction(db, async (trx) => {
    const user = await requireUser(trx, username);
    const revoked = await trx
      .updateTable('auth_tokens')
      .set({ revoked_at: now.toISOString() })
      .where('username_key', '=', user.usernameKey)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const grants = await trx.deleteFrom('project_admins').where('username_key', '=', user.usernameKey).executeTakeFirst();
    await trx.deleteFrom('users').where('username_key', '=', user.usernameKey).execute();
    await recomputeProjectsForBicUser(trx, user.usernameKey, now);
    return { user, revokedTokens: Number(revoked.numUpdatedRows), projectAdminGrants: Number(grants.numDeletedRows) };
  });
}

export async function listUsers(db: DbOrTrx): Promise<UserListing[]> {
  const [users, grants] = await Promise.all([
    db.selectFrom('users').selectAll().orderBy('username_key').execute(),
    db
      .selectFrom('project_admins')
      .innerJoin('projects', 'projects.id', 'project_admins.project_id')
      .select(['project_admins.username_key', 'projects.number'])
      .execute(),
  ]);
  const numbersByUser = new Map<string, string[]>();
  for (const grant of grants) {
    const numbers = numbersByUser.get(grant.username_key) ?? [];
    numbers.push(grant.number);
    numbersByUser.set(grant.username_key, numbers);
  }
  return users.map((row) => ({ ...toRecord(row), projectAdminOf: (numbersByUser.get(row.username_key) ?? []).sort(byteOrder) }));
}

/** Project numbers sort in byte order (SPEC 3); they are ASCII, so UTF-16 code-unit order is the same. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Returns whether anything changed. */
export async function setGlobalAdmin(db: DbOrTrx, username: string, isGlobalAdmin: boolean): Promise<{ user: UserRecord; changed: boolean }> {
  return inTransaction(db, async (trx) => {
    const user = await requireUser(trx, username);
    if (user.isGlobalAdmin === isGlobalAdmin) return { user, changed: false };
    await trx
      .updateTable('users')
      .set({ is_global_admin: isGlobalAdmin ? 1 : 0 })
      .where('username_key', '=', user.usernameKey)
      .execute();
    return { user: { ...user, isGlobalAdmin }, changed: true };
  });
}

/** Runs `change` with the user's current Project Admin grants among `projectIds` (deduplicated), in one transaction. */
function withProjectAdminGrants(
  db: DbOrTrx,
  username: string,
  projectIds: string[],
  change: (trx: Transaction<Database>, usernameKey: string, wanted: string[], held: Set<string>) => Promise<string[]>,
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const user = await requireUser(trx, username);
    const wanted = [...new Set(projectIds)];
    if (wanted.length === 0) return [];
    const existing = await trx
      .selectFrom('project_admins')
      .select('project_id')
      .where('username_key', '=', user.usernameKey)
      .where('project_id', 'in', wanted)
      .execute();
    return change(trx, user.usernameKey, wanted, new Set(existing.map((row) => row.project_id)));
  });
}

/** Grants Project Admin on the projects (NCS ids); returns the ids newly granted (others were already). */
export function grantProjectAdmin(db: DbOrTrx, username: string, projectIds: string[]): Promise<string[]> {
  return withProjectAdminGrants(db, username, projectIds, async (trx, usernameKey, wanted, held) => {
    const granted = wanted.filter((id) => !held.has(id));
    if (granted.length > 0) {
      await trx.insertInto('project_admins').values(granted.map((projectId) => ({ username_key: usernameKey, project_id: projectId }))).execute();
    }
    return granted;
  });
}

/** Revokes Project Admin on the projects (NCS ids); returns the ids actually revoked. */
export function revokeProjectAdmin(db: DbOrTrx, username: string, projectIds: string[]): Promise<string[]> {
  return withProjectAdminGrants(db, username, projectIds, async (trx, usernameKey, wanted, held) => {
    const revoked = wanted.filter((id) => held.has(id));
    if (revoked.length > 0) {
      await trx.deleteFrom('project_admins').where('username_key', '=', usernameKey).where('project_id', 'in', revoked).execute();
    }
    return revoked;
  });
}
