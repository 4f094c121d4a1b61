// Which BIC assignment a Procore account is (SPEC 3): by user id once known, else by login, ignoring case; the first
// match records the id on every assignment with that login, and a later login match with another id is a mismatch.
import type { Selectable } from 'kysely';
import type { BicAssignmentsTable } from '../db/schema.js';
import { inTransaction, type DbOrTrx } from '../db/transaction.js';
import { recomputeProjects } from './project-state.js';

export interface BicAssignment {
  projectId: string;
  position: number;
  username: string;
  usernameKey: string;
  procoreLogin: string;
  loginKey: string;
  procoreUserId: string | null;
}

/** What an assignment needs for matching; BicAssignment has it, so do lighter shapes. */
export interface AssignmentIdentity {
  procoreLogin: string;
  procoreUserId: string | null;
}

export interface ProcoreAccount {
  id: string;
  login: string;
}

export type AssignmentMatch<A extends AssignmentIdentity> =
  | { matched: true; assignment: A; /** true when it matched by login and no id is recorded yet */ recordId: boolean }
  | { matched: false; verdict: 'account_mismatch'; because: 'not_assigned' | 'id_differs'; assignment?: A };

/**
 * Finds the assignment the signed-in account is. An id match wins over a login match; a login match whose
 * assignment already holds another user id is `account_mismatch` (the login now belongs to someone else).
 */
export function matchAssignment<A extends AssignmentIdentity>(assignments: readonly A[], account: ProcoreAccount): AssignmentMatch<A> {
  const byId = assignments.find((a) => a.procoreUserId !== null && a.procoreUserId === account.id);
  if (byId) return { matched: true, assignment: byId, recordId: false };
  const loginKey = account.login.toLowerCase();
  const byLogin = assignments.filter((a) => a.procoreLogin.toLowerCase() === loginKey);
  const unrecorded = byLogin.find((a) => a.procoreUserId === null);
  if (unrecorded) return { matched: true, assignment: unrecorded, recordId: true };
  if (byLogin.length > 0) return { matched: false, verdict: 'account_mismatch', because: 'id_differs', assignment: byLogin[0] };
  return { matched: false, verdict: 'account_mismatch', because: 'not_assigned' };
}

/** A project's assignments in BIC order. */
export async function loadAssignments(db: DbOrTrx, projectId: string): Promise<BicAssignment[]> {
  const rows = await db.selectFrom('bic_assignments').selectAll().where('project_id', '=', projectId).orderBy('position').execute();
  return rows.map(toAssignment);
}

/** An assignment row as the matching rules see it. */
export function toAssignment(row: Selectable<BicAssignmentsTable>): BicAssignment {
  return {
    projectId: row.project_id,
    position: row.position,
    username: row.username,
    usernameKey: row.username_key,
    procoreLogin: row.procore_login,
    loginKey: row.login_key,
    procoreUserId: row.procore_user_id,
  };
}

/**
 * Records the account's Procore user id on every assignment with that login (ignoring case) that has none yet, and
 * recomputes those projects' items. Assignments holding another id keep it: they stay mismatches. Returns the ids of
 * the projects changed.
 */
export async function recordProcoreUserId(db: DbOrTrx, login: string, procoreUserId: string, now: Date = new Date()): Promise<string[]> {
  const loginKey = login.toLowerCase();
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .selectFrom('bic_assignments')
      .select('project_id')
      .distinct()
      .where('login_key', '=', loginKey)
      .where('procore_user_id', 'is', null)
      .execute();
    if (rows.length === 0) return [];
    await trx
      .updateTable('bic_assignments')
      .set({ procore_user_id: procoreUserId })
      .where('login_key', '=', loginKey)
      .where('procore_user_id', 'is', null)
      .execute();
    const projectIds = rows.map((row) => row.project_id);
    await recomputeProjects(trx, projectIds, now);
    return projectIds;
  });
}

/**
 * A login renamed in Procore (same user id): the credential and every assignment holding that id take the new
 * login, and their results move with it, so the projects stay as they were under the new name (SPEC 3).
 * Returns the ids of the projects changed.
 */
export async function recordRenamedLogin(db: DbOrTrx, account: ProcoreAccount, now: Date = new Date()): Promise<string[]> {
  const loginKey = account.login.toLowerCase();
  return inTransaction(db, async (trx) => {
    await trx
      .updateTable('credentials')
      .set({ procore_login: account.login, updated_at: now.toISOString() })
      .where('procore_user_id', '=', account.id)
      .where('procore_login', '!=', account.login)
      .execute();
    const renamed = await trx
      .selectFrom('bic_assignments')
      .select(['project_id', 'login_key'])
      .where('procore_user_id', '=', account.id)
      .where('procore_login', '!=', account.login)
      .execute();
    if (renamed.length === 0) return [];
    await trx
      .updateTable('bic_assignments')
      .set({ procore_login: account.login, login_key: loginKey })
      .where('procore_user_id', '=', account.id)
      .execute();
    for (const { project_id: projectId, login_key: oldKey } of renamed) {
      if (oldKey === loginKey) continue;
      const taken = await trx
        .selectFrom('account_results')
        .select('login_key')
        .where('project_id', '=', projectId)
        .where('login_key', '=', loginKey)
        .executeTakeFirst();
      // A result already kept under the new login is the newer one; the old login's result goes.
      if (taken) await trx.deleteFrom('account_results').where('project_id', '=', projectId).where('login_key', '=', oldKey).execute();
      else await trx.updateTable('account_results').set({ login_key: loginKey }).where('project_id', '=', projectId).where('login_key', '=', oldKey).execute();
    }
    const projectIds = [...new Set(renamed.map((row) => row.project_id))];
    await recomputeProjects(trx, projectIds, now);
    return projectIds;
  });
}
