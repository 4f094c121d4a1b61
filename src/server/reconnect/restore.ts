// Which other projects an intake restores: those with the account as BIC that Procore lists for it, one listing per company.
import { isProcoreError, type ProcoreMe } from '../../procore/index.js';
import type { ServerDeps } from '../deps.js';
import type { Viewer } from '../http/authenticate.js';
import { batches } from '../db/transaction.js';
import { matchAssignment, toAssignment, type BicAssignment } from '../projects/account-matching.js';

export interface AccountProject {
  projectId: string;
  number: string;
  companyId: string;
  procoreProjectId: string;
  /** The result row key of the account on that project (its assignment's login). */
  loginKey: string;
}

/** Every project, other than `exceptProjectId`, where the account is a BIC assignment (SPEC 3 matching). */
export async function projectsWithAccountAsBic(deps: Pick<ServerDeps, 'db'>, me: ProcoreMe, exceptProjectId: string): Promise<AccountProject[]> {
  const loginKey = me.login.toLowerCase();
  const rows = await deps.db
    .selectFrom('bic_assignments')
    .innerJoin('projects', 'projects.id', 'bic_assignments.project_id')
    .select([
      'bic_assignments.project_id',
      'bic_assignments.position',
      'bic_assignments.username',
      'bic_assignments.username_key',
      'bic_assignments.procore_login',
      'bic_assignments.login_key',
      'bic_assignments.procore_user_id',
      'projects.number',
      'projects.company_id',
      'projects.procore_project_id',
    ])
    .where((eb) => eb.or([eb('bic_assignments.procore_user_id', '=', me.id), eb('bic_assignments.login_key', '=', loginKey)]))
    .where('bic_assignments.project_id', '!=', exceptProjectId)
    .orderBy('projects.number')
    .orderBy('bic_assignments.position')
    .execute();
  const byProject = new Map<string, { assignments: BicAssignment[]; row: (typeof rows)[number] }>();
  for (const row of rows) {
    const entry = byProject.get(row.project_id) ?? { assignments: [], row };
    entry.assignments.push(toAssignment(row));
    byProject.set(row.project_id, entry);
  }
  const projects: AccountProject[] = [];
  for (const { assignments, row } of byProject.values()) {
    const match = matchAssignment(assignments, me);
    if (!match.matched) continue;
    projects.push({
      projectId: row.project_id,
      number: row.number,
      companyId: row.company_id,
      procoreProjectId: row.procore_project_id,
      loginKey: match.assignment.loginKey,
    });
  }
  return projects;
}

/**
 * The candidates Procore lists for the account: one paginated project listing per company. A company
 * that refuses the listing (app not installed, no access) restores nothing; transient failures throw.
 */
export async function projectsProcoreLists(deps: ServerDeps, accessToken: string, candidates: readonly AccountProject[]): Promise<AccountProject[]> {
  const companies = [...new Set(candidates.map((candidate) => candidate.companyId))];
  const listed = new Set<string>();
  for (const companyId of companies) {
    try {
      for (const project of await deps.procore.listProjects(accessToken, companyId)) listed.add(`${companyId}/${project.id}`);
    } catch (error) {
      if (isProcoreError(error) && (error.kind === 'forbidden' || error.kind === 'not_found')) continue;
      throw error;
    }
  }
  return candidates.filter((candidate) => listed.has(`${candidate.companyId}/${candidate.procoreProjectId}`));
}

/** The ids among `projectIds` the viewer may see (SPEC 8): everything for a Global Admin, else admin or BIC. */
export async function visibleProjectIds(deps: Pick<ServerDeps, 'db'>, viewer: Viewer, projectIds: readonly string[]): Promise<Set<string>> {
  if (viewer.isGlobalAdmin) return new Set(projectIds);
  const visible = new Set<string>();
  for (const ids of batches([...new Set(projectIds)])) {
    const admin = await deps.db
      .selectFrom('project_admins')
      .select('project_id')
      .where('username_key', '=', viewer.usernameKey)
      .where('project_id', 'in', ids)
      .execute();
    const bic = await deps.db
      .selectFrom('bic_assignments')
      .select('project_id')
      .where('username_key', '=', viewer.usernameKey)
      .where('project_id', 'in', ids)
      .execute();
    for (const row of [...admin, ...bic]) visible.add(row.project_id);
  }
  return visible;
}
