// Reconnect attempts (SPEC 4.3): random id and state bound to user, project and redirect URI, 10 minutes, single use.
import { timingSafeEqual } from 'node:crypto';
import { NcsError, type ReconnectStarted } from '../../core/index.js';
import { appendAudit } from '../audit/audit-log.js';
import type { BicAssignmentsTable, ProjectsTable, ReconnectAttemptsTable } from '../db/schema.js';
import type { ServerDeps } from '../deps.js';
import type { Viewer } from '../http/authenticate.js';
import { randomBase32, randomSecret, sha256Hex } from '../ids.js';
import type { ProjectRoles } from '../projects/access.js';

export const ATTEMPT_TTL_MS = 10 * 60_000;

/**
 * The assignments the caller may sign in as: every BIC assignment for Global and Project Admins, only
 * their own for a caller who is just a BIC user of the project (SPEC 4.3 step 2).
 */
export async function assignmentsCallerMayUse(
  deps: Pick<ServerDeps, 'db'>,
  projectId: string,
  viewer: Viewer,
  roles: ProjectRoles,
): Promise<BicAssignmentsTable[]> {
  const assignments = await deps.db
    .selectFrom('bic_assignments')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('position')
    .execute();
  if (roles.globalAdmin || roles.projectAdmin) return assignments;
  return assignments.filter((assignment) => assignment.username_key === viewer.usernameKey);
}

/** Logins in BIC order, each once (case-insensitively). */
export function distinctLogins(assignments: readonly BicAssignmentsTable[]): string[] {
  const seen = new Set<string>();
  const logins: string[] = [];
  for (const assignment of assignments) {
    if (seen.has(assignment.login_key)) continue;
    seen.add(assignment.login_key);
    logins.push(assignment.procore_login);
  }
  return logins;
}

export interface StartAttemptInput {
  viewer: Viewer;
  project: ProjectsTable;
  roles: ProjectRoles;
  /** Already checked by the caller: a CLI loopback URI, the OOB URN, or the portal's callback. */
  redirectUri: string;
}

/** Starts an attempt; the CLI route and the web portal (with its own callback) both use it. */
export async function startReconnectAttempt(deps: ServerDeps, input: StartAttemptInput): Promise<ReconnectStarted> {
  const now = deps.now();
  const attemptId = `att_${randomBase32(26)}`;
  const state = randomSecret();
  const expiresAt = new Date(now.getTime() + ATTEMPT_TTL_MS).toISOString();
  const expectedAccounts = distinctLogins(await assignmentsCallerMayUse(deps, input.project.id, input.viewer, input.roles));
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('reconnect_attempts')
      .values({
        id: attemptId,
        state_hash: sha256Hex(state),
        username_key: input.viewer.usernameKey,
        project_id: input.project.id,
        redirect_uri: input.redirectUri,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
        outcome: null,
      })
      .execute();
    await appendAudit(trx, {
      actor: input.viewer.username,
      action: 'reconnect_started',
      projectNumber: input.project.number,
      details: { redirectUri: input.redirectUri, expectedAccounts },
      at: now,
    });
  });
  return {
    attemptId,
    authorizeUrl: deps.procore.buildAuthorizeUrl({ redirectUri: input.redirectUri, state }),
    redirectUri: input.redirectUri,
    state,
    expectedAccounts,
    expiresAt,
  };
}

export interface PresentedAttempt {
  attemptId: string;
  state: string;
  usernameKey: string;
  projectId: string;
}

type AttemptFlaw = 'unknown' | 'used' | 'expired' | 'other_user' | 'other_project' | 'wrong_state';

function stateMatches(state: string, stateHash: string): boolean {
  const presented = Buffer.from(sha256Hex(state), 'hex');
  const stored = Buffer.from(stateHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

function flawOf(row: ReconnectAttemptsTable, presented: PresentedAttempt, nowIso: string): AttemptFlaw | undefined {
  if (row.expires_at <= nowIso) return 'expired';
  if (row.username_key !== presented.usernameKey) return 'other_user';
  if (row.project_id !== presented.projectId) return 'other_project';
  if (!stateMatches(presented.state, row.state_hash)) return 'wrong_state';
  return undefined;
}

/**
 * Uses the attempt up (in one transaction, before any code is redeemed, so a failed redemption uses it
 * up too) and returns it; any flaw answers `409 attempt_invalid`, one code that reveals nothing. A
 * presentation with a flaw uses the attempt up as well: a guessed state gets one try.
 */
export async function consumeAttempt(deps: ServerDeps, presented: PresentedAttempt, actor: string, projectNumber: string): Promise<ReconnectAttemptsTable> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const verdict = await deps.db.transaction().execute(async (trx): Promise<{ row?: ReconnectAttemptsTable; flaw?: AttemptFlaw }> => {
    const row = await trx.selectFrom('reconnect_attempts').selectAll().where('id', '=', presented.attemptId).executeTakeFirst();
    if (!row) return { flaw: 'unknown' };
    const flaw = flawOf(row, presented, nowIso);
    const taken = await trx
      .updateTable('reconnect_attempts')
      .set({ used_at: nowIso, outcome: flaw ? `rejected: ${flaw}` : 'redeeming' })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 0) return { flaw: 'used' };
    return flaw ? { flaw } : { row: { ...row, used_at: nowIso } };
  });
  if (verdict.row) return verdict.row;
  deps.metrics.increment('ncs_reconnects_total', { outcome: 'attempt_invalid' });
  await appendAudit(deps.db, {
    actor,
    action: 'reconnect_rejected',
    projectNumber,
    details: { reason: 'attempt_invalid', flaw: verdict.flaw },
    at: now,
  });
  throw new NcsError('attempt_invalid');
}

/** Records how a used attempt ended (for the audit trail; never a secret). */
export async function recordAttemptOutcome(deps: Pick<ServerDeps, 'db'>, attemptId: string, outcome: string): Promise<void> {
  await deps.db.updateTable('reconnect_attempts').set({ outcome }).where('id', '=', attemptId).execute();
}

/** The portal's callback finds its attempt by state; the caller still presents it through consumeAttempt. */
export async function findAttemptByState(deps: Pick<ServerDeps, 'db'>, state: string): Promise<ReconnectAttemptsTable | undefined> {
  return deps.db.selectFrom('reconnect_attempts').selectAll().where('state_hash', '=', sha256Hex(state)).executeTakeFirst();
}
