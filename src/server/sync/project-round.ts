// One project's sync round (SPEC 4.4): its BIC accounts in order (failover), the mirror pulled with the first
// account that works, standby accounts checked, and the verdict stored with the project's status.
import { ERROR_CATALOGUE, type AccountResult, type TransientReason } from '../../core/index.js';
import { isProcoreError, type ProcoreMe, type ProcoreTool } from '../../procore/index.js';
import { CredentialUnusableError } from '../credentials/session.js';
import { findCredentialForAssignment, type CredentialRow } from '../credentials/store.js';
import { loadAssignments, matchAssignment, recordProcoreUserId, recordRenamedLogin, type BicAssignment } from '../projects/account-matching.js';
import { distinctAccounts } from '../projects/derive.js';
import type { AccountResultUpdate } from '../projects/project-state.js';
import { checkAccount, mismatchMessage, NO_CREDENTIAL_MESSAGE, TOOL_LABELS } from '../reconnect/checks.js';
import { VaultError } from '../vault/vault.js';
import { MIRROR_TOOLS, pullTool, type MirrorTarget } from './mirror.js';
import type { SyncPass } from './pass.js';
import { recordRound, type RoundOutcome, type RoundRecord } from './round-record.js';

/** Results that wait for a person: the account is skipped without a call until its credential is replaced. */
const WAITS_FOR_RECONNECT: ReadonlySet<string> = new Set(['token_revoked', 'token_expired', 'account_mismatch']);
/** Standby accounts (after the one in use) that were fine are compared with /me this often. */
export const STANDBY_ME_INTERVAL_MS = 24 * 3600_000;
/** A 429 without Retry-After or X-Rate-Limit-Reset: wait this long. */
const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60;

type Attempt =
  | { kind: 'synced'; items: number }
  | { kind: 'verdict'; result: AccountResult; message: string }
  | { kind: 'transient'; reason: TransientReason; code: string; message: string; waitSeconds?: number };

export interface ProjectToSync extends MirrorTarget {
  number: string;
}

export interface RoundHooks {
  /** Called between requests: the claim on the project is renewed there. */
  heartbeat(): Promise<void>;
}

function verdict(result: AccountResult, message: string): Attempt {
  return { kind: 'verdict', result, message };
}

/** What a failed call means for this account on this project, by SPEC 4.4's classification. */
function classify(error: unknown, step: 'me' | ProcoreTool, login: string): Attempt {
  if (error instanceof CredentialUnusableError) {
    const outcome = error.outcome;
    if (outcome.kind === 'dead') return verdict(outcome.reason, outcome.message);
    if (outcome.kind === 'transient') {
      return { kind: 'transient', reason: outcome.reason, code: outcome.reason, message: outcome.message, waitSeconds: outcome.retryAfterSeconds };
    }
    return { kind: 'transient', reason: 'procore_unreachable', code: 'unknown', message: outcome.message };
  }
  if (isProcoreError(error)) {
    if ((error.kind === 'forbidden' || error.kind === 'not_found') && step !== 'me') {
      const message = error.kind === 'not_found' ? `${login} cannot see the Procore project.` : `${login} cannot use the ${TOOL_LABELS[step]} tool of the Procore project.`;
      return verdict('permission_denied', message);
    }
    if (error.kind === 'rate_limited') {
      return { kind: 'transient', reason: 'rate_limited', code: 'rate_limited', message: error.message, waitSeconds: error.retryAfterSeconds ?? DEFAULT_RATE_LIMIT_WAIT_SECONDS };
    }
    const code = error.kind === 'unavailable' || error.kind === 'bad_response' ? 'procore_unreachable' : 'unknown';
    return { kind: 'transient', reason: 'procore_unreachable', code, message: error.message };
  }
  // A key missing from the configuration: nothing about the account, and nothing a retry fixes; the admin must act.
  if (error instanceof VaultError) {
    const { message, hint } = ERROR_CATALOGUE.credential_unreadable;
    return { kind: 'transient', reason: 'procore_unreachable', code: 'credential_unreadable', message: `${message} ${hint}` };
  }
  throw error;
}

/**
 * A login renamed in Procore (same user id, SPEC 3): the stored logins follow, and so does `assignment`, since the
 * account's results moved to the new login and this round's verdict must land there too, not under the old key.
 */
async function followRename(pass: SyncPass, assignment: BicAssignment, me: ProcoreMe, credential: CredentialRow): Promise<void> {
  if (me.login.toLowerCase() === assignment.loginKey && me.login === credential.procore_login) return;
  await recordRenamedLogin(pass.deps.db, me, pass.deps.now());
  assignment.procoreLogin = me.login;
  assignment.loginKey = me.login.toLowerCase();
}

/** Pulls the project's RFIs and submittals with the account, after checking /me still matches the assignment. */
async function syncWithAccount(pass: SyncPass, project: ProjectToSync, assignment: BicAssignment, row: CredentialRow, hooks: RoundHooks): Promise<Attempt> {
  const { deps } = pass;
  const session = pass.session(row);
  let step: 'me' | ProcoreTool = 'me';
  try {
    const me = await pass.me(session);
    const match = matchAssignment([assignment], me);
    if (!match.matched) {
      return verdict('account_mismatch', mismatchMessage(me, assignment.procoreLogin));
    }
    if (match.recordId) await recordProcoreUserId(deps.db, me.login, me.id, deps.now());
    else await followRename(pass, assignment, me, session.credential);
    let items = 0;
    for (const tool of MIRROR_TOOLS) {
      step = tool;
      const pulled = await pullTool(deps, session, project, tool, pass.startedAt, hooks.heartbeat);
      deps.metrics.increment('ncs_sync_items_total', { type: tool }, pulled);
      items += pulled;
    }
    return { kind: 'synced', items };
  } catch (error) {
    return classify(error, step, assignment.procoreLogin);
  }
}

/** A standby account: its access re-checked while it is not `ok`, else its /me once a day. Transient failures store nothing. */
async function checkStandby(pass: SyncPass, project: ProjectToSync, assignment: BicAssignment, row: CredentialRow, previous: string | undefined): Promise<AccountResultUpdate | undefined> {
  const { deps } = pass;
  if (previous === 'ok') {
    const checkedAt = row.me_checked_at ? Date.parse(row.me_checked_at) : 0;
    if (deps.now().getTime() - checkedAt < STANDBY_ME_INTERVAL_MS) return undefined;
    try {
      const me = await pass.me(pass.session(row));
      if (matchAssignment([assignment], me).matched) {
        await followRename(pass, assignment, me, row);
        return undefined;
      }
      return { loginKey: assignment.loginKey, result: 'account_mismatch', message: mismatchMessage(me, assignment.procoreLogin) };
    } catch (error) {
      const attempt = classify(error, 'me', assignment.procoreLogin);
      return attempt.kind === 'verdict' ? { loginKey: assignment.loginKey, result: attempt.result, message: attempt.message } : undefined;
    }
  }
  const finding = await checkAccount(pass, { id: project.id, companyId: project.companyId, procoreProjectId: project.procoreProjectId }, assignment).catch(() => undefined);
  return finding?.store ? { loginKey: assignment.loginKey, ...finding.store } : undefined;
}

/** Runs the project's round and stores its verdict; the caller holds the project's claim. */
export async function syncProject(pass: SyncPass, project: ProjectToSync, hooks: RoundHooks): Promise<RoundOutcome> {
  const { deps } = pass;
  const now = deps.now();
  const intervalDue = new Date(now.getTime() + deps.config.syncIntervalSeconds * 1000);
  const resultRows = await deps.db.selectFrom('account_results').select(['login_key', 'result', 'message', 'checked_at']).where('project_id', '=', project.id).execute();
  const results = new Map(resultRows.map((r) => [r.login_key, r]));
  const updates: AccountResultUpdate[] = [];
  const record = (outcome: Omit<RoundRecord, 'dueAt'> & { dueAt?: Date }) =>
    recordRound(deps.db, project.id, { dueAt: intervalDue, ...outcome }, deps.now()).then(() => {
      deps.metrics.increment('ncs_sync_rounds_total', { outcome: outcome.outcome });
      return outcome.outcome;
    });

  /** SPEC 4.4: wait for the account's rate limit; degraded at once when the wait is longer than the interval. */
  const rateLimited = (until: Date, message: string) => {
    const longWait = until.getTime() - now.getTime() > deps.config.syncIntervalSeconds * 1000;
    deps.metrics.increment('ncs_sync_failures_total', { reason: 'rate_limited' });
    return record({ outcome: longWait ? 'failed' : 'deferred', updates, transient: 'rate_limited', degradeNow: longWait, error: { code: 'rate_limited', message }, dueAt: until });
  };

  // SPEC 3: an imported project is not synced before one of its accounts reconnects.
  if (resultRows.some((r) => r.result === 'migrated_from_trimble')) return record({ outcome: 'skipped', updates: [] });
  if (pass.outage) {
    deps.metrics.increment('ncs_sync_failures_total', { reason: 'procore_unreachable' });
    return record({ outcome: 'failed', updates: [], transient: 'procore_unreachable', error: { code: 'procore_unreachable', message: pass.outage } });
  }

  let firstProblem: { code: string; message: string } | undefined;
  let inUse = false;
  for (const assignment of distinctAccounts(await loadAssignments(deps.db, project.id))) {
    const previous = results.get(assignment.loginKey);
    const row = await findCredentialForAssignment(deps.db, assignment);
    /** An account that cannot serve the project: found now by a call, or a verdict it still waits on. */
    const problem = (result: AccountResult, message: string) => {
      firstProblem ??= { code: result, message };
      deps.metrics.increment('ncs_sync_failures_total', { reason: result });
      if (previous?.result !== result) updates.push({ loginKey: assignment.loginKey, result, message });
    };
    const known = (result: string) => (previous?.result === result ? previous.message : null);
    if (!row) {
      problem('no_credential', known('no_credential') ?? NO_CREDENTIAL_MESSAGE);
      continue;
    }
    if (row.dead_reason) {
      const reason = row.dead_reason as AccountResult;
      problem(reason, known(reason) ?? 'Procore refused the refresh token; the account must sign in again.');
      continue;
    }
    if (previous && WAITS_FOR_RECONNECT.has(previous.result) && row.obtained_at <= previous.checked_at) {
      problem(previous.result as AccountResult, previous.message ?? '');
      continue;
    }
    if (inUse) {
      const standby = await checkStandby(pass, project, assignment, row, previous?.result);
      if (standby) updates.push(standby);
      continue;
    }
    if (row.rate_limited_until && row.rate_limited_until > now.toISOString()) {
      const until = new Date(row.rate_limited_until);
      return rateLimited(until, `Procore asked NCS to wait until ${until.toISOString()} before calling again for ${assignment.procoreLogin}.`);
    }

    await hooks.heartbeat();
    const attempt = await syncWithAccount(pass, project, assignment, row, hooks);
    if (attempt.kind === 'synced') {
      pass.reachable();
      inUse = true;
      updates.push({ loginKey: assignment.loginKey, result: 'ok', message: 'Synced.' });
      continue;
    }
    if (attempt.kind === 'verdict') {
      pass.reachable();
      // SPEC 4.4: an account-level failure is recorded and the next account takes over.
      problem(attempt.result, attempt.message);
      continue;
    }
    // A transient failure never fails over and never records a result: the round fails here.
    if (attempt.reason === 'rate_limited') {
      const until = new Date(deps.now().getTime() + (attempt.waitSeconds ?? DEFAULT_RATE_LIMIT_WAIT_SECONDS) * 1000);
      await deps.db.updateTable('credentials').set({ rate_limited_until: until.toISOString() }).where('id', '=', row.id).execute();
      return rateLimited(until, attempt.message);
    }
    deps.metrics.increment('ncs_sync_failures_total', { reason: attempt.code });
    if (attempt.code === 'procore_unreachable') pass.unreachable(row.id, attempt.message);
    return record({ outcome: 'failed', updates, transient: 'procore_unreachable', error: { code: attempt.code, message: attempt.message } });
  }
  if (inUse) return record({ outcome: 'synced', updates });
  return record({ outcome: 'lost', updates, error: firstProblem ?? { code: 'no_credential', message: 'The project has no ball-in-court account.' } });
}
