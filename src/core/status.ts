// Connection statuses and the reason codes behind them: the vocabulary shared by server, CLI and portal.

export const PROJECT_STATUSES = ['connected', 'connection_lost', 'degraded'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** What a check, a sync or an intake concluded for one (project, Procore account) pair. */
export const ACCOUNT_RESULTS = [
  'ok',
  'token_revoked',
  'token_expired',
  'permission_denied',
  'account_mismatch',
  'no_credential',
  'migrated_from_trimble',
  'unknown',
] as const;
export type AccountResult = (typeof ACCOUNT_RESULTS)[number];

/** Transient conditions: they make a project degraded, never lost. */
export const TRANSIENT_REASONS = ['procore_unreachable', 'rate_limited'] as const;
export type TransientReason = (typeof TRANSIENT_REASONS)[number];

/** Every reason a project can show: a failed account result or a transient condition. */
export type ReasonCode = Exclude<AccountResult, 'ok'> | TransientReason;
export const REASON_CODES: readonly ReasonCode[] = [
  'migrated_from_trimble',
  'no_credential',
  'token_expired',
  'token_revoked',
  'account_mismatch',
  'permission_denied',
  'procore_unreachable',
  'rate_limited',
  'unknown',
];

export const PROJECT_ORIGINS = ['ncs', 'trimble_migration'] as const;
export type ProjectOrigin = (typeof PROJECT_ORIGINS)[number];

/** Labels the CLI and the portal show in their Connection Status column. */
export const STATUS_LABELS: Record<ProjectStatus, string> = {
  connected: 'Connected',
  connection_lost: 'Connection Lost',
  degraded: 'Degraded',
};

/** `ncs projects list --status lost` and the API's `?status=` accept both spellings. */
export function parseStatusFilter(value: string): ProjectStatus | undefined {
  if (value === 'lost') return 'connection_lost';
  return (PROJECT_STATUSES as readonly string[]).includes(value) ? (value as ProjectStatus) : undefined;
}

export interface AccountState {
  result: AccountResult;
}

/**
 * The project's status from its per-account results in BIC order and its transient condition.
 * lost > degraded > connected: a transient condition never hides a lost connection.
 */
export function deriveStatus(
  resultsInBicOrder: readonly AccountResult[],
  transient: TransientReason | null,
): { status: ProjectStatus; reason: ReasonCode | null } {
  const anyOk = resultsInBicOrder.includes('ok');
  if (!anyOk) {
    const first = resultsInBicOrder[0];
    const reason: ReasonCode = first === undefined || first === 'ok' ? 'no_credential' : first;
    return { status: 'connection_lost', reason };
  }
  if (transient) return { status: 'degraded', reason: transient };
  return { status: 'connected', reason: null };
}
