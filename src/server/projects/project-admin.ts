// Creating projects and replacing their ball-in-court lists (the `projects add` / `set-bic` behaviour, also used by the
// Trimble import and the demo): rows, first results and the derived status, all in one transaction.
import { sql, type Transaction } from 'kysely';
import type { AccountResult, ProjectItem, ProjectOrigin } from '../../core/index.js';
import type { Database } from '../db/schema.js';
import { newProjectId } from '../ids.js';
import { batches, inTransaction, type DbOrTrx } from '../db/transaction.js';
import { ProjectExistsError, ProjectInputError, ProjectNotFoundError } from './errors.js';
import { loadProjectItems, recomputeProjects } from './project-state.js';
import {
  ballInCourtProblems,
  normalizeProcoreId,
  projectNameProblem,
  projectNumberProblem,
  type BicInput,
} from './validation.js';

export interface AddProjectInput {
  number: string;
  name: string;
  /** Decimal string, or a safe integer. */
  companyId: string | number;
  projectId: string | number;
  /** In failover order. */
  ballInCourt: BicInput[];
}

export interface NewProject {
  number: string;
  name: string;
  companyId: string;
  projectId: string;
  ballInCourt: BicInput[];
}

/** Checks an add's input and returns it normalized (trimmed, ids as strings); throws ProjectInputError. */
export function normalizeProjectInput(input: AddProjectInput): NewProject {
  const problems: string[] = [];
  const number = input.number.trim();
  const name = input.name.trim();
  const numberProblem = projectNumberProblem(number);
  if (numberProblem) problems.push(numberProblem);
  const nameProblem = projectNameProblem(name);
  if (nameProblem) problems.push(nameProblem);
  const companyId = normalizeProcoreId(input.companyId, 'company id');
  if ('problem' in companyId) problems.push(companyId.problem);
  const projectId = normalizeProcoreId(input.projectId, 'Procore project id');
  if ('problem' in projectId) problems.push(projectId.problem);
  const ballInCourt = normalizeBic(input.ballInCourt);
  problems.push(...ballInCourtProblems(ballInCourt));
  if (problems.length > 0 || !('id' in companyId) || !('id' in projectId)) throw new ProjectInputError(problems);
  return { number, name, companyId: companyId.id, projectId: projectId.id, ballInCourt };
}

function normalizeBic(entries: readonly BicInput[]): BicInput[] {
  return entries.map((entry) => ({ username: entry.username.trim(), procoreLogin: entry.procoreLogin.trim() }));
}

/** `ncs-server projects add`: a new project whose accounts start as `no_credential` (or `unknown` when NCS holds their credential). */
export async function addProject(db: DbOrTrx, input: AddProjectInput, now: Date): Promise<ProjectItem> {
  const project = normalizeProjectInput(input);
  const id = await inTransaction(db, async (trx) => {
    const existing = await existingNumbers(trx, [project.number]);
    if (existing.length > 0) throw new ProjectExistsError(existing[0]!);
    const [created] = await insertProjects(trx, [project], 'ncs', now);
    return created!.id;
  });
  const [item] = await loadProjectItems(db, [id]);
  return item!;
}

/**
 * `ncs-server projects set-bic`: replaces the assignments. Accounts that stay keep their results and Procore user
 * ids; new accounts start as `no_credential`, or `unknown` when NCS holds a credential for them.
 */
export async function setBallInCourt(db: DbOrTrx, number: string, assignments: BicInput[], now: Date): Promise<ProjectItem> {
  const ballInCourt = normalizeBic(assignments);
  const problems = ballInCourtProblems(ballInCourt);
  if (problems.length > 0) throw new ProjectInputError(problems);
  const id = await inTransaction(db, async (trx) => {
    const project = await trx.selectFrom('projects').select('id').where('number_key', '=', number.trim().toLowerCase()).executeTakeFirst();
    if (!project) throw new ProjectNotFoundError(number);
    const previous = await trx.selectFrom('bic_assignments').select(['login_key', 'procore_user_id']).where('project_id', '=', project.id).execute();
    const knownIds = await knownProcoreUserIds(trx, ballInCourt.map((entry) => entry.procoreLogin.toLowerCase()));
    for (const row of previous) if (row.procore_user_id) knownIds.set(row.login_key, row.procore_user_id);

    await trx.deleteFrom('bic_assignments').where('project_id', '=', project.id).execute();
    await trx.insertInto('bic_assignments').values(assignmentRows(project.id, ballInCourt, knownIds)).execute();

    const keptKeys = ballInCourt.map((entry) => entry.procoreLogin.toLowerCase());
    await trx.deleteFrom('account_results').where('project_id', '=', project.id).where('login_key', 'not in', keptKeys).execute();
    const withResult = new Set(
      (await trx.selectFrom('account_results').select('login_key').where('project_id', '=', project.id).execute()).map((r) => r.login_key),
    );
    const fresh = keptKeys.filter((key) => !withResult.has(key));
    const firstResults = await firstResultsFor(trx, fresh, knownIds);
    if (fresh.length > 0) {
      await trx
        .insertInto('account_results')
        .values(fresh.map((key) => ({ project_id: project.id, login_key: key, result: firstResults.get(key)!, message: null, checked_at: now.toISOString() })))
        .execute();
    }
    await recomputeProjects(trx, [project.id], now);
    return project.id;
  });
  const [item] = await loadProjectItems(db, [id]);
  return item!;
}

/** Existing project numbers among these (case-insensitive), as stored. */
export async function existingNumbers(db: DbOrTrx, numbers: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const batch of batches([...new Set(numbers.map((n) => n.toLowerCase()))])) {
    const rows = await db.selectFrom('projects').select('number').where('number_key', 'in', batch).execute();
    found.push(...rows.map((row) => row.number));
  }
  return found;
}

/**
 * Inserts validated projects with their assignments and first results, then derives their status. `trimble_migration`
 * projects start as `migrated_from_trimble` for every account (SPEC 3).
 */
export async function insertProjects(
  trx: Transaction<Database>,
  projects: readonly NewProject[],
  origin: ProjectOrigin,
  now: Date,
): Promise<{ id: string; number: string }[]> {
  const at = now.toISOString();
  const created = projects.map((project) => ({ id: newProjectId(), project }));
  const loginKeys = [...new Set(projects.flatMap((p) => p.ballInCourt.map((entry) => entry.procoreLogin.toLowerCase())))];
  const knownIds = await knownProcoreUserIds(trx, loginKeys);
  const firstResults: Map<string, AccountResult> =
    origin === 'trimble_migration' ? new Map(loginKeys.map((key) => [key, 'migrated_from_trimble'])) : await firstResultsFor(trx, loginKeys, knownIds);

  // ~20 bound parameters per project row: 500 rows stay under SQLite's and PostgreSQL's limits.
  for (const batch of batches(created)) {
    await trx
      .insertInto('projects')
      .values(
        batch.map(({ id, project }) => ({
          id,
          number: project.number,
          number_key: project.number.toLowerCase(),
          name: project.name,
          company_id: project.companyId,
          procore_project_id: project.projectId,
          origin,
          // Placeholders until recomputeProjects below derives them in this same transaction.
          status: 'connection_lost' as const,
          reason: null,
          transient_reason: null,
          failed_rounds: 0,
          since: at,
          last_sync_at: null,
          last_error_code: null,
          last_error_message: null,
          last_error_at: null,
          item_json: '{}',
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
  }
  const assignments = created.flatMap(({ id, project }) => assignmentRows(id, project.ballInCourt, knownIds));
  for (const batch of batches(assignments)) await trx.insertInto('bic_assignments').values(batch).execute();
  const results = created.flatMap(({ id, project }) =>
    project.ballInCourt.map((entry) => {
      const key = entry.procoreLogin.toLowerCase();
      return { project_id: id, login_key: key, result: firstResults.get(key)!, message: null, checked_at: at };
    }),
  );
  for (const batch of batches(results)) await trx.insertInto('account_results').values(batch).execute();
  await recomputeProjects(
    trx,
    created.map((c) => c.id),
    now,
  );
  return created.map(({ id, project }) => ({ id, number: project.number }));
}

function assignmentRows(projectId: string, ballInCourt: readonly BicInput[], knownIds: ReadonlyMap<string, string>) {
  return ballInCourt.map((entry, position) => {
    const loginKey = entry.procoreLogin.toLowerCase();
    return {
      project_id: projectId,
      position,
      username: entry.username,
      username_key: entry.username.toLowerCase(),
      procore_login: entry.procoreLogin,
      login_key: loginKey,
      procore_user_id: knownIds.get(loginKey) ?? null,
    };
  });
}

/** Procore user ids already recorded for these logins on other assignments (SPEC 3: the first match records it everywhere). */
async function knownProcoreUserIds(db: DbOrTrx, loginKeys: readonly string[]): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  for (const batch of batches(loginKeys)) {
    const rows = await db
      .selectFrom('bic_assignments')
      .select(['login_key', 'procore_user_id'])
      .where('login_key', 'in', batch)
      .where('procore_user_id', 'is not', null)
      .execute();
    for (const row of rows) if (!known.has(row.login_key)) known.set(row.login_key, row.procore_user_id!);
  }
  return known;
}

/**
 * The result an account starts with on a project: `no_credential` without a credential, the credential's dead reason
 * when Procore already refused it, else `unknown` (not checked for this project yet).
 */
async function firstResultsFor(db: DbOrTrx, loginKeys: readonly string[], knownIds: ReadonlyMap<string, string>): Promise<Map<string, AccountResult>> {
  const deadByKey = new Map<string, string | null>();
  for (const batch of batches(loginKeys)) {
    const loginKey = sql<string>`lower(procore_login)`;
    const ids = batch.flatMap((key) => (knownIds.has(key) ? [knownIds.get(key)!] : []));
    const rows = await db
      .selectFrom('credentials')
      .select(['procore_user_id', loginKey.as('login_key'), 'dead_reason'])
      .where((eb) => eb.or([eb(loginKey, 'in', batch), ...(ids.length ? [eb('procore_user_id', 'in', ids)] : [])]))
      .execute();
    for (const key of batch) {
      const credential = rows.find((row) => row.procore_user_id === knownIds.get(key)) ?? rows.find((row) => row.login_key === key);
      if (credential) deadByKey.set(key, credential.dead_reason);
    }
  }
  return new Map(
    loginKeys.map((key): [string, AccountResult] => {
      if (!deadByKey.has(key)) return [key, 'no_credential'];
      const dead = deadByKey.get(key);
      return [key, dead === 'token_revoked' || dead === 'token_expired' ? dead : 'unknown'];
    }),
  );
}
