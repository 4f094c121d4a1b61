// Inserts many projects fast (for the bench and list tests): rows, assignments, results and the stored item,
// derived by the same code the server uses, in one transaction and a few multi-row inserts.
import type { AccountResult } from '../../src/core/index.js';
import type { Insertable } from 'kysely';
import type { Db } from '../../src/server/db/connect.js';
import type { AccountResultsTable, BicAssignmentsTable, ProjectsTable } from '../../src/server/db/schema.js';
import { newProjectId } from '../../src/server/ids.js';
import { batches } from '../../src/server/db/transaction.js';
import { deriveProjectState, type AssignmentFacts } from '../../src/server/projects/derive.js';
import { serializeProjectItem } from '../../src/server/projects/item-schema.js';

export interface SeedBic {
  username: string;
  procoreLogin: string;
  procoreUserId?: string | null;
  result?: AccountResult;
}

export interface SeedProjectsOptions {
  count: number;
  /** Numbers are `${prefix}${index padded to 5 digits}`, index from `firstIndex` (default 1). */
  prefix?: string;
  firstIndex?: number;
  /** Ball-in-court of the project at this index; default one account `bic{index % 50}` whose result is `ok`. */
  bic?: (index: number) => SeedBic[];
  name?: (index: number) => string;
  transientReason?: (index: number) => 'procore_unreachable' | 'rate_limited' | null;
  companyId?: string;
  now?: Date;
}

export interface SeededProject {
  id: string;
  number: string;
}

export function seedNumber(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(5, '0')}`;
}

export async function seedProjects(db: Db, options: SeedProjectsOptions): Promise<SeededProject[]> {
  const prefix = options.prefix ?? 'P-';
  const first = options.firstIndex ?? 1;
  const at = (options.now ?? new Date()).toISOString();
  const companyId = options.companyId ?? '4294967396';
  const bicOf =
    options.bic ??
    ((index: number): SeedBic[] => [{ username: `bic${index % 50}`, procoreLogin: `bic${index % 50}@example.com`, result: 'ok' }]);

  const projects: Insertable<ProjectsTable>[] = [];
  const assignments: Insertable<BicAssignmentsTable>[] = [];
  const results: Insertable<AccountResultsTable>[] = [];
  for (let index = first; index < first + options.count; index++) {
    const id = newProjectId();
    const number = seedNumber(prefix, index);
    const name = options.name?.(index) ?? `Project ${index}`;
    const procoreProjectId = String(4294967296 + index);
    const transientReason = options.transientReason?.(index) ?? null;
    const bic = bicOf(index);
    const facts: AssignmentFacts[] = bic.map((entry) => ({
      username: entry.username,
      usernameKey: entry.username.toLowerCase(),
      procoreLogin: entry.procoreLogin,
      loginKey: entry.procoreLogin.toLowerCase(),
      procoreUserId: entry.procoreUserId ?? null,
    }));
    const stored = new Map(bic.map((entry) => [entry.procoreLogin.toLowerCase(), entry.result ?? 'ok']));
    const state = deriveProjectState({
      project: { id, number, name, companyId, procoreProjectId, transientReason, lastSyncAt: null },
      assignments: facts,
      results: stored,
      hasCredential: () => false,
      displayNames: new Map(),
    });
    projects.push({
      id, number, number_key: number.toLowerCase(), name, company_id: companyId, procore_project_id: procoreProjectId,
      origin: 'ncs', status: state.status, reason: state.reason, transient_reason: transientReason,
      failed_rounds: 0, since: at, last_sync_at: null, last_error_code: null, last_error_message: null, last_error_at: null,
      item_json: serializeProjectItem(state.item), created_at: at, updated_at: at,
    });
    facts.forEach((fact, position) =>
      assignments.push({
        project_id: id, position, username: fact.username, username_key: fact.usernameKey, procore_login: fact.procoreLogin,
        login_key: fact.loginKey, procore_user_id: fact.procoreUserId,
      }),
    );
    for (const [loginKey, result] of stored) results.push({ project_id: id, login_key: loginKey, result, message: null, checked_at: at });
  }

  await db.transaction().execute(async (trx) => {
    for (const batch of batches(projects)) await trx.insertInto('projects').values(batch).execute();
    for (const batch of batches(assignments)) await trx.insertInto('bic_assignments').values(batch).execute();
    for (const batch of batches(results)) await trx.insertInto('account_results').values(batch).execute();
  });
  return projects.map((p) => ({ id: p.id, number: p.number }));
}
