// Token refresh (SPEC 4.4): due at min(5 min, expires_in / 2) left; one refresh per account across instances.
import { classifyRefreshFailure, isProcoreError, type ProcoreError } from '../../procore/index.js';
import type { ServerDeps } from '../deps.js';
import { randomBase32 } from '../ids.js';
import { releaseLease, waitForLease } from '../leases.js';
import {
  findCredentialById,
  markCredentialDead,
  openAccessToken,
  sealTokens,
  type CredentialRow,
  type DeadReason,
} from './store.js';

export const REFRESH_LEASE_TTL_MS = 60_000;
/** How long a caller waits for another instance's refresh of the same account (its HTTP timeout is 20 s). */
export const REFRESH_LEASE_WAIT_MS = 25_000;
const MAX_REFRESH_MARGIN_MS = 5 * 60_000;

export const INTERRUPTED_REFRESH_MESSAGE = 'refresh interrupted';

export function refreshLeaseName(procoreUserId: string): string {
  return `refresh:${procoreUserId}`;
}

/** A unique holder per operation: two operations of one instance must not share a lease either. */
export function leaseHolderFor(deps: Pick<ServerDeps, 'instanceId'>): string {
  return `${deps.instanceId}:${randomBase32(8)}`;
}

/** True when the remaining lifetime is under min(5 min, expires_in / 2). */
export function refreshDue(row: Pick<CredentialRow, 'expires_at' | 'issued_at'>, now: Date): boolean {
  const expiresAt = Date.parse(row.expires_at);
  const issuedAt = row.issued_at ? Date.parse(row.issued_at) : Number.NaN;
  const lifetimeMs = Number.isFinite(issuedAt) ? expiresAt - issuedAt : Number.POSITIVE_INFINITY;
  return expiresAt - now.getTime() < Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 2);
}

export type TransientKind = 'procore_unreachable' | 'rate_limited';

export type TokenOutcome =
  | { kind: 'usable'; credential: CredentialRow; accessToken: string; refreshed: boolean }
  | { kind: 'dead'; credential: CredentialRow; reason: DeadReason; message: string }
  | { kind: 'transient'; reason: TransientKind; message: string; retryAfterSeconds?: number }
  /** Our configuration or Procore's answer is at fault (invalid_client, bad response): says nothing about the account. */
  | { kind: 'failed'; message: string };

const DEAD_MESSAGES: Record<DeadReason, string> = {
  token_expired: 'Procore refused the refresh token: it has expired.',
  token_revoked: 'Procore refused the refresh token: it was revoked or invalidated.',
};

function settled(row: CredentialRow, deps: Pick<ServerDeps, 'vault'>, refreshed: boolean): TokenOutcome {
  if (row.dead_reason) {
    const reason = row.dead_reason as DeadReason;
    return { kind: 'dead', credential: row, reason, message: DEAD_MESSAGES[reason] ?? DEAD_MESSAGES.token_revoked };
  }
  return { kind: 'usable', credential: row, accessToken: openAccessToken(deps.vault, row), refreshed };
}

/** The access token to use now: the stored one, or a refreshed one when due, mid-refresh or `force`d. */
export async function obtainAccessToken(deps: ServerDeps, row: CredentialRow, options: { force?: boolean } = {}): Promise<TokenOutcome> {
  if (row.dead_reason) return settled(row, deps, false);
  if (!options.force && !row.refresh_started_at && !refreshDue(row, deps.now())) return settled(row, deps, false);
  return refreshCredential(deps, row);
}

/**
 * Refreshes the credential read as `read`, under the account's lease. When another operation refreshed
 * (or replaced) it meanwhile, its result is used instead: the refresh grant is sent at most once per
 * rotation, since Procore kills the account's pair when a rotated refresh token comes back.
 */
export async function refreshCredential(deps: ServerDeps, read: CredentialRow): Promise<TokenOutcome> {
  const leaseName = refreshLeaseName(read.procore_user_id);
  const holder = leaseHolderFor(deps);
  let movedOn: CredentialRow | undefined;
  const waited = await waitForLease(deps.db, leaseName, holder, REFRESH_LEASE_TTL_MS, deps.now, {
    waitMs: REFRESH_LEASE_WAIT_MS,
    stop: async () => {
      const current = await findCredentialById(deps.db, read.id);
      if (current && current.version !== read.version) movedOn = current;
      return movedOn !== undefined;
    },
  });
  if (waited === 'stopped') return settled(movedOn!, deps, true);
  if (waited === 'timed_out') {
    return {
      kind: 'transient',
      reason: 'procore_unreachable',
      message: 'Another refresh of this account\'s Procore token has not finished; try again shortly.',
      retryAfterSeconds: Math.ceil(REFRESH_LEASE_TTL_MS / 1000),
    };
  }
  try {
    const current = await findCredentialById(deps.db, read.id);
    if (!current) return { kind: 'failed', message: 'The credential was removed during the refresh.' };
    if (current.version !== read.version || current.dead_reason) return settled(current, deps, current.version !== read.version);
    return await sendRefresh(deps, current);
  } finally {
    await releaseLease(deps.db, leaseName, holder);
  }
}

/** Under the lease: records the start, sends the grant once, stores the rotated pair or the verdict. */
async function sendRefresh(deps: ServerDeps, current: CredentialRow): Promise<TokenOutcome> {
  // Set while we hold the lease, a refresh_started_at means an earlier refresh never finished.
  const interrupted = current.refresh_started_at !== null;
  const startedAt = deps.now().toISOString();
  await deps.db
    .updateTable('credentials')
    .set({ refresh_started_at: startedAt })
    .where('id', '=', current.id)
    .where('version', '=', current.version)
    .execute();
  const started: CredentialRow = { ...current, refresh_started_at: startedAt };
  const refreshToken = deps.vault.decrypt(current.refresh_token_enc, current.id, 'refresh_token');

  let tokens;
  try {
    tokens = await deps.procore.refreshAccessToken({ refreshToken, redirectUri: current.redirect_uri });
  } catch (error) {
    if (!isProcoreError(error)) throw error;
    return refreshFailed(deps, started, error, interrupted);
  }

  const now = deps.now();
  const written = await deps.db
    .updateTable('credentials')
    .set({
      ...sealTokens(deps.vault, current.id, tokens),
      version: current.version + 1,
      refresh_started_at: null,
      dead_reason: null,
      updated_at: now.toISOString(),
    })
    .where('id', '=', current.id)
    .where('version', '=', current.version)
    .executeTakeFirst();
  if (Number(written.numUpdatedRows) === 0) {
    // Replaced by an intake while we held an expired lease: the pair we got is nobody's, so kill it.
    await deps.procore.revokeToken(tokens.accessToken).catch(() => undefined);
    const now2 = await findCredentialById(deps.db, current.id);
    deps.metrics.increment('ncs_token_refreshes_total', { outcome: 'superseded' });
    return now2 ? settled(now2, deps, true) : { kind: 'failed', message: 'The credential was removed during the refresh.' };
  }
  deps.metrics.increment('ncs_token_refreshes_total', { outcome: 'ok' });
  const refreshed = (await findCredentialById(deps.db, current.id))!;
  return { kind: 'usable', credential: refreshed, accessToken: tokens.accessToken, refreshed: true };
}

async function refreshFailed(deps: ServerDeps, started: CredentialRow, error: ProcoreError, interrupted: boolean): Promise<TokenOutcome> {
  if (error.kind === 'invalid_grant') {
    // By Procore's design a rotation lost on the way cannot be recovered: the account must sign in again.
    const reason: DeadReason = interrupted ? 'token_revoked' : (classifyRefreshFailure(error) as DeadReason);
    await markCredentialDead(deps.db, started, reason, deps.now());
    deps.metrics.increment('ncs_token_refreshes_total', { outcome: reason });
    const dead = (await findCredentialById(deps.db, started.id))!;
    const message = interrupted ? INTERRUPTED_REFRESH_MESSAGE : `${DEAD_MESSAGES[reason]}${error.description ? ` (${error.description})` : ''}`;
    return { kind: 'dead', credential: dead, reason, message };
  }
  // Sent but unanswered: Procore may have rotated the pair. Keep refresh_started_at so that the next
  // operation treats the credential as caught mid-refresh; otherwise the grant never left, so clear it.
  if (!error.mayHaveReachedProcore) {
    await deps.db
      .updateTable('credentials')
      .set({ refresh_started_at: null })
      .where('id', '=', started.id)
      .where('version', '=', started.version)
      .execute();
  }
  const refreshClass = classifyRefreshFailure(error);
  if (refreshClass === 'procore_unreachable' || refreshClass === 'rate_limited') {
    deps.metrics.increment('ncs_token_refreshes_total', { outcome: refreshClass });
    return { kind: 'transient', reason: refreshClass, message: error.message, retryAfterSeconds: error.retryAfterSeconds };
  }
  deps.metrics.increment('ncs_token_refreshes_total', { outcome: 'error' });
  return { kind: 'failed', message: error.message };
}
