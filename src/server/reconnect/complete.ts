// Completing a reconnect (SPEC 4.3): an attempt's authorization code, or a raw token pushed by a Global Admin.
import { NcsError, OOB_REDIRECT_URI, type ProcoreTokenAccepted, type ProcoreTokenResponse } from '../../core/index.js';
import { isProcoreError, parseTokenResponse, type ProcoreTokenSet } from '../../procore/index.js';
import { appendAudit } from '../audit/audit-log.js';
import { leaseHolderFor, REFRESH_LEASE_TTL_MS, REFRESH_LEASE_WAIT_MS, refreshLeaseName } from '../credentials/refresh.js';
import type { ServerDeps } from '../deps.js';
import type { Viewer } from '../http/authenticate.js';
import { releaseLease, waitForLease } from '../leases.js';
import type { ProjectAccess } from '../projects/access.js';
import { consumeAttempt, recordAttemptOutcome } from './attempts.js';
import { acceptTokens } from './intake.js';
import { grantRefusal } from './procore-failures.js';

async function refused(deps: ServerDeps, viewer: Viewer, projectNumber: string, reason: string, source: string, attemptId?: string): Promise<void> {
  deps.metrics.increment('ncs_reconnects_total', { outcome: reason });
  if (attemptId) await recordAttemptOutcome(deps, attemptId, reason);
  await appendAudit(deps.db, { actor: viewer.username, action: 'reconnect_rejected', projectNumber, details: { reason, source }, at: deps.now() });
}

/** `{attemptId, state, code}`: the attempt is used up first, then NCS redeems the code itself. */
export async function completeWithCode(
  deps: ServerDeps,
  viewer: Viewer,
  access: ProjectAccess,
  body: { attemptId: string; state: string; code: string },
): Promise<ProcoreTokenAccepted> {
  const { project, roles } = access;
  const attempt = await consumeAttempt(
    deps,
    { attemptId: body.attemptId, state: body.state, usernameKey: viewer.usernameKey, projectId: project.id },
    viewer.username,
    project.number,
  );
  let tokens: ProcoreTokenSet;
  try {
    tokens = await deps.procore.redeemAuthorizationCode({ code: body.code, redirectUri: attempt.redirect_uri });
  } catch (error) {
    const answer = grantRefusal(error, 'authorization_code_rejected');
    await refused(deps, viewer, project.number, answer.code, 'authorization_code', attempt.id);
    throw answer;
  }
  return acceptTokens(deps, {
    viewer,
    project,
    roles,
    tokens,
    redirectUri: attempt.redirect_uri,
    source: 'authorization_code',
    attemptId: attempt.id,
  });
}

/**
 * `{token, redirectUri?}` from a Global Admin (the caller checked `push_token` before anything is used):
 * accepted only when issued to our client id, then rotated once under the account's refresh lease, so
 * that no copy the pusher holds stays valid; only the rotated pair is verified and stored.
 */
export async function completeWithPushedToken(
  deps: ServerDeps,
  viewer: Viewer,
  access: ProjectAccess,
  body: { token: ProcoreTokenResponse; redirectUri?: string },
): Promise<ProcoreTokenAccepted> {
  const { project, roles } = access;
  const redirectUri = body.redirectUri ?? OOB_REDIRECT_URI;
  let pushed: ProcoreTokenSet;
  try {
    pushed = parseTokenResponse(body.token, deps.now().getTime());
  } catch (error) {
    if (!isProcoreError(error)) throw error;
    throw new NcsError('validation_failed', { message: `The request is not valid: body.token ${error.message.replace(/^.*: /, '')}.`, details: { fields: { 'body.token': error.message } } });
  }

  let info;
  try {
    info = await deps.procore.getTokenInfo(pushed.accessToken);
  } catch (error) {
    const answer = grantRefusal(error, 'token_rejected');
    await refused(deps, viewer, project.number, answer.code, 'pushed_token');
    throw answer;
  }
  if (info.applicationUid !== deps.config.procore.clientId) {
    await refused(deps, viewer, project.number, 'foreign_application', 'pushed_token');
    throw new NcsError('foreign_application', {
      message: `The token was issued to ${info.applicationUid ? `another Procore application` : 'an application Procore does not name'}, not to NCS (${deps.config.procore.clientId}). Nothing was changed.`,
    });
  }

  const leaseName = refreshLeaseName(info.resourceOwnerId);
  const holder = leaseHolderFor(deps);
  let rotated: ProcoreTokenSet;
  const waited = await waitForLease(deps.db, leaseName, holder, REFRESH_LEASE_TTL_MS, deps.now, { waitMs: REFRESH_LEASE_WAIT_MS });
  if (waited !== 'acquired') {
    await refused(deps, viewer, project.number, 'procore_unreachable', 'pushed_token');
    throw new NcsError('procore_unreachable', {
      message: 'A token refresh for this Procore account is still running; nothing was changed. Try again in a minute.',
      retryAfterSeconds: Math.ceil(REFRESH_LEASE_TTL_MS / 1000),
    });
  }
  try {
    rotated = await deps.procore.refreshAccessToken({ refreshToken: pushed.refreshToken, redirectUri });
    deps.metrics.increment('ncs_token_refreshes_total', { outcome: 'ok' });
  } catch (error) {
    const answer = grantRefusal(error, 'token_rejected');
    deps.metrics.increment('ncs_token_refreshes_total', { outcome: answer.code });
    await refused(deps, viewer, project.number, answer.code, 'pushed_token');
    throw answer;
  } finally {
    await releaseLease(deps.db, leaseName, holder);
  }
  return acceptTokens(deps, { viewer, project, roles, tokens: rotated, redirectUri, source: 'pushed_token' });
}
