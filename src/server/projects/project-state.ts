// The stored status and read model of projects: per-account results in, status/reason/since/item_json out,
// always recomputed in the same transaction as the change they derive from (SPEC 3, 9.4).
import { sql } from 'kysely';
import type { AccountResult, ProjectDetail, ProjectItem } from '../../core/index.js';
import { isPostgres } from '../db/migrations.js';
import { batches, inTransaction, type DbOrTrx } from '../db/transaction.js';
import { deriveProjectState, type AssignmentFacts, type DerivedState } from './derive.js';
import { explainProject } from './explain.js';
import { serializeProjectItem } from './item-schema.js';

export interface AccountResultUpdate {
  loginKey: string;
  result: AccountResult;
  message?: string | null;
}

interface ProjectRow {
  id: string;
  number: string;
  name: string;
  company_id: string;
  procore_project_id: string;
  transient_reason: string | null;
  last_sync_at: string | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: string | null;
  status: string;
  reason: string | null;
  since: string;
  item_json: string;
}

interface LoadedProject {
  row: ProjectRow;
  state: DerivedState;
}

/** Upserts the (project, account) results and recomputes the project, inside `db`'s transaction (or a new one). */
export async function writeAccountResults(db: DbOrTrx, projectId: string, updates: AccountResultUpdate[], now: Date): Promise<void> {
  await inTransaction(db, async (trx) => {
    const checkedAt = now.toISOString();
    for (const update of updates) {
      const values = { result: update.result, message: update.message ?? null, checked_at: checkedAt };
      await trx
        .insertInto('account_results')
        .values({ project_id: projectId, login_key: update.loginKey.toLowerCase(), ...values })
        .onConflict((conflict) => conflict.columns(['project_id', 'login_key']).doUpdateSet(values))
        .execute();
    }
    await recomputeProjects(trx, [projectId], now);
  });
}

export async function recomputeProject(db: DbOrTrx, projectId: string, now: Date): Promise<void> {
  await recomputeProjects(db, [projectId], now);
}

/** Recomputes status, reason, since and item_json of each project; rows whose derived fields did not change are left alone. */
export async function recomputeProjects(db: DbOrTrx, projectIds: readonly string[], now: Date): Promise<void> {
  if (projectIds.length === 0) return;
  await inTransaction(db, async (trx) => {
    for (const ids of batches([...new Set(projectIds)].sort())) {
      const loaded = await loadStates(trx, ids, { lock: true });
      for (const { row, state } of loaded.values()) {
        const itemJson = serializeProjectItem(state.item);
        if (row.status === state.status && row.reason === state.reason && row.item_json === itemJson) continue;
        await trx
          .updateTable('projects')
          .set({
            status: state.status,
            reason: state.reason,
            // `since` says when the status last changed, so a new reason alone does not move it.
            since: row.status === state.status ? row.since : now.toISOString(),
            item_json: itemJson,
            updated_at: now.toISOString(),
          })
          .where('id', '=', row.id)
          .execute();
      }
    }
  });
}

/** After a user's display name changed: every project where they are ball-in-court shows the new name. */
export async function recomputeProjectsForBicUser(db: DbOrTrx, usernameKey: string, now: Date): Promise<void> {
  const rows = await db
    .selectFrom('bic_assignments')
    .select('project_id')
    .distinct()
    .where('username_key', '=', usernameKey.toLowerCase())
    .execute();
  await recomputeProjects(
    db,
    rows.map((row) => row.project_id),
    now,
  );
}

/** The stored API items of these projects, in project-number order (unknown ids are left out). */
export async function loadProjectItems(db: DbOrTrx, projectIds: readonly string[]): Promise<ProjectItem[]> {
  const rows: { number: string; item_json: string }[] = [];
  for (const ids of batches([...new Set(projectIds)])) {
    rows.push(...(await db.selectFrom('projects').select(['number', 'item_json']).where('id', 'in', ids).execute()));
  }
  // Numbers are ASCII (SPEC 3), so code-unit order is byte order.
  rows.sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
  return rows.map((row) => JSON.parse(row.item_json) as ProjectItem);
}

/** The detail of one project, derived from the live tables (the same derivation as the stored item). */
export async function loadProjectDetail(db: DbOrTrx, projectId: string): Promise<ProjectDetail> {
  const loaded = (await loadStates(db, [projectId], { lock: false })).get(projectId);
  if (!loaded) throw new Error(`project ${projectId} does not exist`);
  const { row, state } = loaded;
  const counts = await db
    .selectFrom('mirror_items')
    .select(['item_type', sql<string | number>`count(*)`.as('count')])
    .where('project_id', '=', projectId)
    .groupBy('item_type')
    .execute();
  const countOf = (type: string) => Number(counts.find((c) => c.item_type === type)?.count ?? 0);
  const lastError =
    row.last_error_code !== null && row.last_error_at !== null
      ? { code: row.last_error_code, message: row.last_error_message ?? '', at: row.last_error_at }
      : null;
  return {
    ...state.item,
    ...explainProject(state),
    since: row.since,
    warnings: state.warnings,
    sync: { lastSyncAt: row.last_sync_at, lastError, rfis: countOf('rfi'), submittals: countOf('submittal') },
  };
}

/** Loads everything a derivation needs for a batch of projects, in a handful of queries whatever the batch size. */
async function loadStates(db: DbOrTrx, ids: string[], options: { lock: boolean }): Promise<Map<string, LoadedProject>> {
  let projectQuery = db
    .selectFrom('projects')
    .select([
      'id', 'number', 'name', 'company_id', 'procore_project_id', 'transient_reason', 'last_sync_at',
      'last_error_code', 'last_error_message', 'last_error_at', 'status', 'reason', 'since', 'item_json',
    ])
    .where('id', 'in', ids)
    .orderBy('id');
  // PostgreSQL: concurrent writers of one project's results serialize here, so the last recompute sees every
  // committed result. SQLite already serializes writers (and has no FOR UPDATE).
  if (options.lock && isPostgres(db)) projectQuery = projectQuery.forUpdate();
  const projects = await projectQuery.execute();
  if (projects.length === 0) return new Map();

  const assignmentRows = await db
    .selectFrom('bic_assignments')
    .select(['project_id', 'username', 'username_key', 'procore_login', 'login_key', 'procore_user_id'])
    .where('project_id', 'in', ids)
    .orderBy('project_id')
    .orderBy('position')
    .execute();
  const resultRows = await db.selectFrom('account_results').select(['project_id', 'login_key', 'result']).where('project_id', 'in', ids).execute();

  const assignmentsByProject = new Map<string, AssignmentFacts[]>();
  for (const a of assignmentRows) {
    const list = assignmentsByProject.get(a.project_id) ?? [];
    list.push({ username: a.username, usernameKey: a.username_key, procoreLogin: a.procore_login, loginKey: a.login_key, procoreUserId: a.procore_user_id });
    assignmentsByProject.set(a.project_id, list);
  }
  const resultsByProject = new Map<string, Map<string, string>>();
  for (const r of resultRows) {
    const map = resultsByProject.get(r.project_id) ?? new Map<string, string>();
    map.set(r.login_key, r.result);
    resultsByProject.set(r.project_id, map);
  }

  const usernameKeys = [...new Set(assignmentRows.map((a) => a.username_key))];
  const displayNames = new Map<string, string>();
  for (const keys of batches(usernameKeys)) {
    const users = await db.selectFrom('users').select(['username_key', 'display_name']).where('username_key', 'in', keys).execute();
    for (const user of users) displayNames.set(user.username_key, user.display_name);
  }

  // Credentials matter only where a result is missing: they decide between `unknown` and `no_credential`.
  const unresolved = assignmentRows.filter((a) => !resultsByProject.get(a.project_id)?.has(a.login_key));
  const credentialIds = new Set<string>();
  const credentialLogins = new Set<string>();
  const userIds = [...new Set(unresolved.flatMap((a) => (a.procore_user_id ? [a.procore_user_id] : [])))];
  for (const batch of batches(userIds)) {
    const rows = await db.selectFrom('credentials').select('procore_user_id').where('procore_user_id', 'in', batch).execute();
    for (const row of rows) credentialIds.add(row.procore_user_id);
  }
  const loginKeys = [...new Set(unresolved.map((a) => a.login_key))];
  for (const batch of batches(loginKeys)) {
    const loginKey = sql<string>`lower(procore_login)`;
    const rows = await db.selectFrom('credentials').select(loginKey.as('login_key')).where(loginKey, 'in', batch).execute();
    for (const row of rows) credentialLogins.add(row.login_key);
  }
  const hasCredential = (a: AssignmentFacts) =>
    (a.procoreUserId !== null && credentialIds.has(a.procoreUserId)) || credentialLogins.has(a.loginKey);

  const loaded = new Map<string, LoadedProject>();
  for (const row of projects) {
    const state = deriveProjectState({
      project: {
        id: row.id,
        number: row.number,
        name: row.name,
        companyId: row.company_id,
        procoreProjectId: row.procore_project_id,
        transientReason: row.transient_reason,
        lastSyncAt: row.last_sync_at,
      },
      assignments: assignmentsByProject.get(row.id) ?? [],
      results: resultsByProject.get(row.id) ?? new Map(),
      hasCredential,
      displayNames,
    });
    loaded.set(row.id, { row, state });
  }
  return loaded;
}
