// Pure derivation of a project's status, reason, accounts needing action, warnings and API item (SPEC 3),
// from its BIC assignments in order, its per-account results and its transient condition.
import {
  ACCOUNT_RESULTS,
  REASON_TEXTS,
  TRANSIENT_REASONS,
  deriveStatus,
  type AccountNeedingAction,
  type AccountResult,
  type ProjectItem,
  type ProjectStatus,
  type ProjectWarning,
  type ReasonCode,
  type TransientReason,
} from '../../core/index.js';

export interface AssignmentFacts {
  username: string;
  usernameKey: string;
  procoreLogin: string;
  loginKey: string;
  procoreUserId: string | null;
}

export interface ProjectFacts {
  id: string;
  number: string;
  name: string;
  companyId: string;
  procoreProjectId: string;
  transientReason: string | null;
  lastSyncAt: string | null;
}

export interface StateInput {
  project: ProjectFacts;
  /** In BIC (failover) order. */
  assignments: readonly AssignmentFacts[];
  /** Stored results by login key. */
  results: ReadonlyMap<string, string>;
  /** Whether NCS holds a credential for the assignment's account (decides what a missing result means). */
  hasCredential: (assignment: AssignmentFacts) => boolean;
  /** NCS users' display names by username key; BIC users need not be NCS users. */
  displayNames: ReadonlyMap<string, string>;
}

export interface AccountState {
  assignment: AssignmentFacts;
  result: AccountResult;
}

export interface DerivedState {
  status: ProjectStatus;
  reason: ReasonCode | null;
  /** One entry per distinct account, in BIC order. */
  accountStates: AccountState[];
  accounts: AccountNeedingAction[];
  warnings: ProjectWarning[];
  item: ProjectItem;
}

function asResult(stored: string | undefined): AccountResult | undefined {
  if (stored === undefined) return undefined;
  return (ACCOUNT_RESULTS as readonly string[]).includes(stored) ? (stored as AccountResult) : 'unknown';
}

function asTransient(stored: string | null): TransientReason | null {
  return stored !== null && (TRANSIENT_REASONS as readonly string[]).includes(stored) ? (stored as TransientReason) : null;
}

function warningMessage(result: Exclude<AccountResult, 'ok'>, login: string): string {
  return `Ball-in-court account ${login}: ${REASON_TEXTS[result].summary}.`;
}

/**
 * The assignments' accounts in BIC order, each once: one account assigned twice (two NPC users sharing a Procore
 * login) is one account with one result.
 */
export function distinctAccounts<A extends { loginKey: string }>(assignments: readonly A[]): A[] {
  const seen = new Set<string>();
  return assignments.filter((assignment) => !seen.has(assignment.loginKey) && seen.add(assignment.loginKey));
}

export function deriveProjectState(input: StateInput): DerivedState {
  const accountStates: AccountState[] = [];
  for (const assignment of distinctAccounts(input.assignments)) {
    const stored = asResult(input.results.get(assignment.loginKey));
    const result = stored ?? (input.hasCredential(assignment) ? 'unknown' : 'no_credential');
    accountStates.push({ assignment, result });
  }

  const { status, reason } = deriveStatus(
    accountStates.map((state) => state.result),
    asTransient(input.project.transientReason),
  );

  const accounts: AccountNeedingAction[] = [];
  const warnings: ProjectWarning[] = [];
  accountStates.forEach(({ assignment, result }, index) => {
    if (result === 'ok') return;
    accounts.push({ login: assignment.procoreLogin, procoreUserId: assignment.procoreUserId, reason: result });
    // The first account of a lost project is the project's reason; every other broken account is a warning,
    // so a connected project still tells who must act before its failover is needed.
    const explainedByReason = status === 'connection_lost' && index === 0;
    if (!explainedByReason) {
      warnings.push({ code: result, account: assignment.procoreLogin, message: warningMessage(result, assignment.procoreLogin) });
    }
  });

  const item: ProjectItem = {
    id: input.project.id,
    number: input.project.number,
    name: input.project.name,
    status,
    reason,
    accounts,
    ballInCourt: input.assignments.map((assignment) => ({
      username: assignment.username,
      displayName: input.displayNames.get(assignment.usernameKey) ?? null,
      procoreLogin: assignment.procoreLogin,
      procoreUserId: assignment.procoreUserId,
    })),
    procore: { companyId: input.project.companyId, projectId: input.project.procoreProjectId },
    lastSyncAt: input.project.lastSyncAt,
  };
  return { status, reason, accountStates, accounts, warnings, item };
}
