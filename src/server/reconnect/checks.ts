// Server-side checks (SPEC 4.2 `check`): per BIC account, refresh if due, /me against the assignment, project and tools.
import { NcsError, type AccountCheck, type AccountResult, type CredentialCheck, type TransientReason } from '../../core/index.js';
import { isProcoreError, type ProcoreMe, type ProcoreTool } from '../../procore/index.js';
import { CredentialSession, CredentialUnusableError } from '../credentials/session.js';
import { findCredentialForAssignment, type CredentialRow } from '../credentials/store.js';
import type { ServerDeps } from '../deps.js';
import { loadAssignments, matchAssignment, recordProcoreUserId, type BicAssignment } from '../projects/account-matching.js';
import { distinctAccounts } from '../projects/derive.js';
import { writeAccountResults } from '../projects/project-state.js';
import { VaultError } from '../vault/vault.js';

/** How a check reaches Procore: sessions for credentials and the account's /me, shared as the caller sees fit. */
export interface AccountCalls {
  readonly deps: ServerDeps;
  session(row: CredentialRow): CredentialSession;
  me(session: CredentialSession): Promise<ProcoreMe>;
}

/**
 * What one round of checks shares: one session per credential (so each is refreshed at most once)
 * and one /me per credential, however many projects use the account.
 */
export class CheckRound implements AccountCalls {
  private readonly sessions = new Map<string, CredentialSession>();
  private readonly meCalls = new Map<string, Promise<ProcoreMe>>();

  constructor(readonly deps: ServerDeps) {}

  session(row: CredentialRow): CredentialSession {
    let session = this.sessions.get(row.id);
    if (!session) this.sessions.set(row.id, (session = new CredentialSession(this.deps, row)));
    return session;
  }

  me(session: CredentialSession): Promise<ProcoreMe> {
    const key = session.credential.id;
    let call = this.meCalls.get(key);
    if (!call) this.meCalls.set(key, (call = session.call((token) => this.deps.procore.getMe(token))));
    return call;
  }
}

export const NO_CREDENTIAL_MESSAGE = 'NCS holds no Procore credential for this account.';

/** The stored message of an account_mismatch: who the credential signs in as now, and who it should be. */
export function mismatchMessage(me: ProcoreMe, expectedLogin: string): string {
  return `NCS's credential now signs in as ${me.login} (Procore user ${me.id}), not ${expectedLogin}.`;
}

/** How Procore names its tools, in messages about them. */
export const TOOL_LABELS: Record<ProcoreTool, string> = { rfis: 'RFIs', submittals: 'Submittals' };

type Verdict = AccountResult | TransientReason;

export interface Finding {
  check: AccountCheck;
  /** Stored as the account's result unless null (transient, or a failure that says nothing about the account). */
  store: { result: AccountResult; message: string } | null;
}

function transientOf(error: unknown): { reason: TransientReason; message: string } | undefined {
  if (error instanceof CredentialUnusableError && error.outcome.kind === 'transient') {
    return { reason: error.outcome.reason, message: error.outcome.message };
  }
  if (isProcoreError(error) && (error.kind === 'unavailable' || error.kind === 'rate_limited' || error.kind === 'bad_response')) {
    return { reason: error.kind === 'rate_limited' ? 'rate_limited' : 'procore_unreachable', message: error.message };
  }
  return undefined;
}

function credentialState(session: CredentialSession): CredentialCheck {
  if (session.credential.dead_reason) return 'dead';
  return session.refreshed ? 'refreshed' : 'valid';
}

/** Checks one BIC account against the project: credential, /me against the assignment, project and tool access. */
export async function checkAccount(round: AccountCalls, project: { id: string; companyId: string; procoreProjectId: string }, assignment: BicAssignment): Promise<Finding> {
  const { deps } = round;
  const base = { account: assignment.procoreLogin, procoreUserId: assignment.procoreUserId };
  const row = await findCredentialForAssignment(deps.db, { procoreUserId: assignment.procoreUserId, loginKey: assignment.loginKey });
  if (!row) {
    const check: AccountCheck = { ...base, credential: 'missing', accountMatches: null, projectReachable: null, toolsReachable: null, reason: 'no_credential' };
    return { check, store: { result: 'no_credential', message: NO_CREDENTIAL_MESSAGE } };
  }
  const session = round.session(row);
  const found = (reason: Verdict, steps: Partial<Pick<AccountCheck, 'accountMatches' | 'projectReachable' | 'toolsReachable'>>): AccountCheck => ({
    ...base,
    procoreUserId: assignment.procoreUserId ?? session.credential.procore_user_id,
    credential: credentialState(session),
    accountMatches: steps.accountMatches ?? null,
    projectReachable: steps.projectReachable ?? null,
    toolsReachable: steps.toolsReachable ?? null,
    reason,
  });
  const failed = (error: unknown, steps: Parameters<typeof found>[1]): Finding => {
    if (error instanceof CredentialUnusableError && error.outcome.kind === 'dead') {
      return { check: found(error.outcome.reason, steps), store: { result: error.outcome.reason, message: error.outcome.message } };
    }
    const transient = transientOf(error);
    if (transient) return { check: found(transient.reason, steps), store: null };
    if (error instanceof CredentialUnusableError || isProcoreError(error)) return { check: found('unknown', steps), store: null };
    // A key missing from the configuration says nothing about the account: name the fix instead of a bare 500.
    if (error instanceof VaultError) throw new NcsError('credential_unreadable', { message: error.message, cause: error });
    throw error;
  };

  let me: ProcoreMe;
  try {
    me = await round.me(session);
  } catch (error) {
    return failed(error, {});
  }
  const match = matchAssignment([assignment], me);
  if (!match.matched) {
    return {
      check: found('account_mismatch', { accountMatches: false }),
      store: { result: 'account_mismatch', message: mismatchMessage(me, assignment.procoreLogin) },
    };
  }
  if (match.recordId) await recordProcoreUserId(deps.db, me.login, me.id, deps.now());

  const denied = (error: unknown) => isProcoreError(error) && (error.kind === 'forbidden' || error.kind === 'not_found');
  try {
    await session.call((token) => deps.procore.getProject(token, project.companyId, project.procoreProjectId));
  } catch (error) {
    if (!denied(error)) return failed(error, { accountMatches: true });
    return {
      check: found('permission_denied', { accountMatches: true, projectReachable: false }),
      store: { result: 'permission_denied', message: `${me.login} cannot reach the Procore project.` },
    };
  }
  const deniedTools: string[] = [];
  for (const tool of ['rfis', 'submittals'] as const) {
    try {
      await session.call((token) => deps.procore.probeTool(token, project.companyId, project.procoreProjectId, tool));
    } catch (error) {
      if (!denied(error)) return failed(error, { accountMatches: true, projectReachable: true });
      deniedTools.push(TOOL_LABELS[tool]);
    }
  }
  if (deniedTools.length > 0) {
    return {
      check: found('permission_denied', { accountMatches: true, projectReachable: true, toolsReachable: false }),
      store: { result: 'permission_denied', message: `${me.login} cannot use the ${deniedTools.join(' and ')} tool of the Procore project.` },
    };
  }
  return { check: found('ok', { accountMatches: true, projectReachable: true, toolsReachable: true }), store: { result: 'ok', message: 'Checked.' } };
}

/**
 * Checks every BIC account of the project in order and stores what it found, except that a transient
 * failure stores nothing for that account and a `migrated_from_trimble` result is never overwritten:
 * the answer reports the finding only (SPEC 3).
 */
export async function runProjectChecks(deps: ServerDeps, projectId: string, round: CheckRound = new CheckRound(deps)): Promise<AccountCheck[]> {
  const project = await deps.db.selectFrom('projects').select(['id', 'company_id', 'procore_project_id']).where('id', '=', projectId).executeTakeFirst();
  if (!project) return [];
  const assignments = await loadAssignments(deps.db, projectId);
  const checks: AccountCheck[] = [];
  const updates: { loginKey: string; result: AccountResult; message: string }[] = [];
  const migrated = new Set(
    (
      await deps.db
        .selectFrom('account_results')
        .select('login_key')
        .where('project_id', '=', projectId)
        .where('result', '=', 'migrated_from_trimble')
        .execute()
    ).map((row) => row.login_key),
  );
  for (const assignment of distinctAccounts(assignments)) {
    const finding = await checkAccount(round, { id: project.id, companyId: project.company_id, procoreProjectId: project.procore_project_id }, assignment);
    deps.metrics.increment('ncs_checks_total', { reason: finding.check.reason });
    checks.push(finding.check);
    if (finding.store && !migrated.has(assignment.loginKey)) updates.push({ loginKey: assignment.loginKey, ...finding.store });
  }
  if (updates.length > 0) await writeAccountResults(deps.db, projectId, updates, deps.now());
  return checks;
}
