// Reconnect intake (SPEC 4.3 steps 1–5): verify a fresh token pair, then store it and restore the account's projects.
import { NcsError, type AccountResult, type ProcoreTokenAccepted, type ProjectItem } from '../../core/index.js';
import { isProcoreError, type ProcoreMe, type ProcoreTokenSet, type ProcoreTool } from '../../procore/index.js';
import { appendAudit } from '../audit/audit-log.js';
import { leaseHolderFor, REFRESH_LEASE_TTL_MS, REFRESH_LEASE_WAIT_MS, refreshLeaseName } from '../credentials/refresh.js';
import { storeCredential, type CredentialTokens } from '../credentials/store.js';
import type { ProjectsTable } from '../db/schema.js';
import type { ServerDeps } from '../deps.js';
import type { Viewer } from '../http/authenticate.js';
import { releaseLease, waitForLease } from '../leases.js';
import type { ProjectRoles } from '../projects/access.js';
import { matchAssignment, recordProcoreUserId } from '../projects/account-matching.js';
import { loadProjectDetail, loadProjectItems, writeAccountResults } from '../projects/project-state.js';
import { assignmentsCallerMayUse, distinctLogins, recordAttemptOutcome } from './attempts.js';
import { transientIntakeError } from './procore-failures.js';
import { requestSync } from '../sync/run-pass.js';
import { projectsProcoreLists, projectsWithAccountAsBic, visibleProjectIds, type AccountProject } from './restore.js';

export interface IntakeInput {
  viewer: Viewer;
  project: ProjectsTable;
  roles: ProjectRoles;
  /** The pair NCS itself obtained: from a code it redeemed, or the rotation of a pushed token. */
  tokens: ProcoreTokenSet;
  redirectUri: string;
  source: 'authorization_code' | 'pushed_token';
  attemptId?: string;
}

type Missing = 'project' | ProcoreTool;

const MISSING_TEXT: Record<Missing, string> = {
  project: 'the Procore project',
  rfis: 'its RFIs tool',
  submittals: 'its Submittals tool',
};

/** Revokes a pair NCS will not keep; Procore answers 200 even for unknown tokens, and a failure changes nothing. */
async function revokeQuietly(deps: ServerDeps, accessToken: string): Promise<boolean> {
  try {
    await deps.procore.revokeToken(accessToken);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `call`; a transient Procore failure answers 503 / 429 after the new pair is revoked (nothing is
 * stored, so nobody would ever use it). A 403 / 404 is passed on as it is, for the caller to read as
 * missing access; any other refusal (a 401 on the pair NCS just obtained) means Procore dropped the pair.
 */
async function procoreStep<T>(deps: ServerDeps, input: IntakeInput, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const transient = transientIntakeError(error);
    if (transient) {
      void revokeQuietly(deps, input.tokens.accessToken);
      await refuse(deps, input, transient.code, { procoreError: isProcoreError(error) ? error.kind : 'unknown' });
      throw transient;
    }
    if (!isProcoreError(error) || error.kind === 'forbidden' || error.kind === 'not_found') throw error;
    return refuseDroppedPair(deps, input, error.kind);
  }
}

async function refuseDroppedPair(deps: ServerDeps, input: IntakeInput, procoreError: string): Promise<never> {
  const code = input.source === 'pushed_token' ? 'token_rejected' : 'authorization_code_rejected';
  void revokeQuietly(deps, input.tokens.accessToken);
  await refuse(deps, input, code, { procoreError });
  throw new NcsError(code, { message: `Procore refused the token it had just issued (${procoreError}); nothing was changed.` });
}

async function refuse(deps: ServerDeps, input: IntakeInput, reason: string, details: Record<string, unknown>): Promise<void> {
  deps.metrics.increment('ncs_reconnects_total', { outcome: reason });
  if (input.attemptId) await recordAttemptOutcome(deps, input.attemptId, reason);
  await appendAudit(deps.db, {
    actor: input.viewer.username,
    action: 'reconnect_rejected',
    projectNumber: input.project.number,
    details: { reason, source: input.source, ...details },
    at: deps.now(),
  });
}

/** Step 3: the project and both tools, as the account; what it cannot reach. */
async function missingAccess(deps: ServerDeps, input: IntakeInput): Promise<Missing[]> {
  const token = input.tokens.accessToken;
  const { company_id: companyId, procore_project_id: projectId } = input.project;
  const denied = (error: unknown) => isProcoreError(error) && (error.kind === 'forbidden' || error.kind === 'not_found');
  try {
    await procoreStep(deps, input, () => deps.procore.getProject(token, companyId, projectId));
  } catch (error) {
    if (denied(error)) return ['project'];
    throw error;
  }
  const missing: Missing[] = [];
  for (const tool of ['rfis', 'submittals'] as const) {
    try {
      await procoreStep(deps, input, () => deps.procore.probeTool(token, companyId, projectId, tool));
    } catch (error) {
      if (!denied(error)) throw error;
      missing.push(tool);
    }
  }
  return missing;
}

interface StoredIntake {
  /** Projects whose result for the account is now ok (this one first when it is among them). */
  restoredIds: string[];
  replaced: CredentialTokens | null;
}

/** Step 4: one transaction under the account's refresh lease. */
async function storeIntake(
  deps: ServerDeps,
  input: IntakeInput,
  me: ProcoreMe,
  thisLoginKey: string,
  thisResult: AccountResult,
  others: AccountProject[],
): Promise<StoredIntake> {
  const leaseName = refreshLeaseName(me.id);
  const holder = leaseHolderFor(deps);
  const waited = await waitForLease(deps.db, leaseName, holder, REFRESH_LEASE_TTL_MS, deps.now, { waitMs: REFRESH_LEASE_WAIT_MS });
  if (waited !== 'acquired') {
    void revokeQuietly(deps, input.tokens.accessToken);
    await refuse(deps, input, 'procore_unreachable', { because: 'refresh_in_progress' });
    throw new NcsError('procore_unreachable', {
      message: 'A token refresh for this Procore account is still running; nothing was changed. Try again in a minute.',
      retryAfterSeconds: Math.ceil(REFRESH_LEASE_TTL_MS / 1000),
    });
  }
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const now = deps.now();
      const stored = await storeCredential(trx, deps.vault, {
        procoreUserId: me.id,
        procoreLogin: me.login,
        tokens: input.tokens,
        redirectUri: input.redirectUri,
        obtainedBy: input.viewer.username,
        now,
      });
      // The first match records the id on every assignment with that login (SPEC 3).
      await recordProcoreUserId(trx, me.login, me.id, now);

      const updates: { projectId: string; loginKey: string; result: AccountResult; message: string | null }[] = [
        {
          projectId: input.project.id,
          loginKey: thisLoginKey,
          result: thisResult,
          message: thisResult === 'ok' ? `Reconnected by ${input.viewer.username}.` : 'The account cannot reach the project or its tools.',
        },
        ...others.map((other) => ({
          projectId: other.projectId,
          loginKey: other.loginKey,
          result: 'ok' as const,
          message: `Restored by ${input.viewer.username}'s reconnect of ${input.project.number}.`,
        })),
      ];
      const restoredIds: string[] = [];
      for (const update of updates) {
        const before = await trx
          .selectFrom('account_results')
          .select(['login_key', 'result'])
          .where('project_id', '=', update.projectId)
          .execute();
        const changes = [{ loginKey: update.loginKey, result: update.result, message: update.message }];
        if (update.result === 'ok') {
          // SPEC 3: the first successful intake for any BIC account of an imported project turns its other
          // migrated_from_trimble results into unknown (they are checked, no longer awaiting a sign-in).
          for (const row of before) {
            if (row.login_key !== update.loginKey && row.result === 'migrated_from_trimble') {
              changes.push({ loginKey: row.login_key, result: 'unknown', message: 'Migrated from Trimble; not checked since another account reconnected.' });
            }
          }
          const previous = before.find((row) => row.login_key === update.loginKey)?.result;
          if (update.projectId === input.project.id || previous !== 'ok') restoredIds.push(update.projectId);
        }
        await writeAccountResults(trx, update.projectId, changes, now);
      }
      const restoredNumbers = [
        ...(thisResult === 'ok' ? [input.project.number] : []),
        ...others.filter((other) => restoredIds.includes(other.projectId)).map((other) => other.number),
      ];
      await appendAudit(trx, {
        actor: input.viewer.username,
        action: 'reconnect_succeeded',
        projectNumber: input.project.number,
        details: {
          source: input.source,
          account: { id: me.id, login: me.login },
          result: thisResult,
          restored: restoredNumbers,
          replacedCredential: stored.replaced !== null,
        },
        at: now,
      });
      if (input.attemptId) {
        await trx.updateTable('reconnect_attempts').set({ outcome: thisResult === 'ok' ? 'succeeded' : 'permission_denied' }).where('id', '=', input.attemptId).execute();
      }
      return { restoredIds, replaced: stored.replaced };
    });
  } finally {
    await releaseLease(deps.db, leaseName, holder);
  }
}

/**
 * Verifies the pair and stores it. Refused at step 2 or earlier: nothing but the attempt and the audit
 * log changes, and the pair is revoked at Procore. Missing permission: the credential is still stored
 * and the account's other projects restored, then `422 permission_denied` with `details.restored`.
 */
export async function acceptTokens(deps: ServerDeps, input: IntakeInput): Promise<ProcoreTokenAccepted> {
  const accessToken = input.tokens.accessToken;
  const me = await procoreStep(deps, input, () => deps.procore.getMe(accessToken)).catch((error: unknown) =>
    // /me needs no company: a 403 / 404 there says the pair itself is refused.
    isProcoreError(error) ? refuseDroppedPair(deps, input, error.kind) : Promise.reject(error),
  );

  const mayUse = await assignmentsCallerMayUse(deps, input.project.id, input.viewer, input.roles);
  const match = matchAssignment(
    mayUse.map((row) => ({ procoreLogin: row.procore_login, procoreUserId: row.procore_user_id, loginKey: row.login_key })),
    me,
  );
  if (!match.matched) {
    const expected = distinctLogins(mayUse);
    await revokeQuietly(deps, accessToken);
    await refuse(deps, input, 'account_mismatch', { signedIn: { id: me.id, login: me.login }, expected, because: match.because });
    throw new NcsError('account_mismatch', {
      message: `Procore signed in ${me.login}, which is not ${expected.length === 1 ? `the expected account ${expected[0]}` : `one of ${expected.join(', ') || 'the project\'s ball-in-court accounts'}`}. Nothing was changed.`,
      details: { signedIn: { id: me.id, login: me.login }, expected },
    });
  }

  const missing = await missingAccess(deps, input);
  const candidates = await projectsWithAccountAsBic(deps, me, input.project.id);
  const others = await procoreStep(deps, input, () => projectsProcoreLists(deps, accessToken, candidates));

  const thisResult: AccountResult = missing.length === 0 ? 'ok' : 'permission_denied';
  const stored = await storeIntake(deps, input, me, match.assignment.loginKey, thisResult, others);
  if (stored.replaced && stored.replaced.accessToken !== accessToken) {
    // After the commit, so that a failed revocation can never undo the intake.
    if (await revokeQuietly(deps, stored.replaced.accessToken)) {
      await appendAudit(deps.db, {
        actor: input.viewer.username,
        action: 'token_revoked',
        projectNumber: input.project.number,
        details: { account: { id: me.id, login: me.login }, because: 'replaced by a new sign-in' },
        at: deps.now(),
      });
    }
  }
  deps.metrics.increment('ncs_reconnects_total', { outcome: thisResult });
  // SPEC 4.3 step 4: the restored projects sync at once, catching up on what changed while they were lost.
  await requestSync(deps, stored.restoredIds);

  const visible = await visibleProjectIds(deps, input.viewer, stored.restoredIds);
  const items = await loadProjectItems(deps.db, stored.restoredIds.filter((id) => visible.has(id)));
  const restored: ProjectItem[] = [
    ...items.filter((item) => item.id === input.project.id),
    ...items.filter((item) => item.id !== input.project.id),
  ];
  const restoredOther = stored.restoredIds.length - visible.size;
  const account = { id: me.id, login: me.login, name: me.name };

  if (thisResult !== 'ok') {
    throw new NcsError('permission_denied', {
      message: `The Procore account ${me.login} cannot reach ${missing.map((m) => MISSING_TEXT[m]).join(', ')} of ${input.project.number}. Its credential was stored${restored.length + restoredOther > 0 ? ' and its other projects restored' : ''}.`,
      details: { missing, restored, restoredOther, account },
    });
  }
  return { project: await loadProjectDetail(deps.db, input.project.id), restored, restoredOther, account };
}
