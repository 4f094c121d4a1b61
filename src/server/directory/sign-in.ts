// Domain sign-in and sign-out (SPEC 4.2 /session): refuses domain usernames, throttles in the database, verifies, opens and ends sessions.
import { NcsError, type SessionCreated } from '../../core/index.js';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerDeps } from '../deps.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { createSession, revokeSession } from './sessions.js';
import { admitSignInAttempt, clearSignInFailures, MAX_FAILURES_PER_USERNAME, pruneSignInFailures, SIGN_IN_WINDOW_MS } from './throttle.js';
import { splitDomain, usernameKey, USERNAME_PATTERN } from './usernames.js';

export interface SignInInput {
  username: string;
  password: string;
  /** `request.ip`: the peer, or the forwarded client when NCS_TRUST_PROXY trusts the peer. */
  clientAddress: string;
}

export type SignInDeps = Pick<ServerDeps, 'db' | 'now' | 'metrics'>;

function domainError(username: string): NcsError {
  const { bare, domain } = splitDomain(username)!;
  const message = USERNAME_PATTERN.test(bare)
    ? `Sign in as "${bare}", without the domain "${domain}".`
    : 'Sign in with your username without the domain.';
  return new NcsError('username_includes_domain', {
    message,
    ...(USERNAME_PATTERN.test(bare) ? { hint: `Use "${bare}" as the username.`, details: { username: bare } } : {}),
  });
}

function throttledError(retryAfterSeconds: number): NcsError {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new NcsError('too_many_sign_in_attempts', {
    message: `Too many failed sign-ins for this username or from this address. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    retryAfterSeconds,
  });
}

/** Signs in with a local directory password; throws the catalogue's NcsErrors (400, 401, 429). */
export async function signIn(deps: SignInDeps, input: SignInInput): Promise<SessionCreated> {
  const typedUsername = input.username.trim();
  if (splitDomain(typedUsername)) {
    deps.metrics.increment('ncs_sign_ins_total', { outcome: 'username_includes_domain' });
    throw domainError(typedUsername);
  }
  const key = usernameKey(typedUsername);
  const now = deps.now();
  const admission = await admitSignInAttempt(deps.db, { usernameKey: key, clientAddress: input.clientAddress }, now);
  if (!admission.admitted) {
    deps.metrics.increment('ncs_sign_ins_total', { outcome: 'throttled' });
    throw throttledError(admission.retryAfterSeconds);
  }

  const user = await deps.db
    .selectFrom('users')
    .select(['username', 'username_key', 'display_name', 'is_global_admin', 'password_hash'])
    .where('username_key', '=', key)
    .executeTakeFirst();
  // Unknown users are verified against a dummy hash inside verifyPassword: both paths cost the same.
  const passwordMatches = await verifyPassword(input.password, user?.password_hash);

  if (!user || !passwordMatches) {
    await pruneSignInFailures(deps.db, now);
    const reachedLimit = admission.usernameFailures >= MAX_FAILURES_PER_USERNAME;
    await appendAudit(deps.db, {
      actor: typedUsername,
      action: 'sign_in_failed',
      at: now,
      details: {
        address: input.clientAddress,
        ...(reachedLimit ? { throttledUntil: new Date(now.getTime() + SIGN_IN_WINDOW_MS).toISOString() } : {}),
      },
    });
    deps.metrics.increment('ncs_sign_ins_total', { outcome: 'invalid_credentials' });
    throw new NcsError('invalid_credentials');
  }

  const rehashed = needsRehash(user.password_hash) ? await hashPassword(input.password) : undefined;
  const session = await deps.db.transaction().execute(async (trx) => {
    await clearSignInFailures(trx, key);
    if (rehashed) await trx.updateTable('users').set({ password_hash: rehashed }).where('username_key', '=', key).execute();
    const created = await createSession(trx, key, now);
    await appendAudit(trx, { actor: user.username, action: 'sign_in', at: now, details: { address: input.clientAddress, sessionId: created.id } });
    return created;
  });
  deps.metrics.increment('ncs_sign_ins_total', { outcome: 'success' });
  return {
    token: session.token,
    expiresAt: session.expiresAt,
    user: { username: user.username, displayName: user.display_name, isGlobalAdmin: user.is_global_admin === 1 },
  };
}

/** Ends the bearer's session; API tokens are not sessions (`400 not_a_session`). */
export async function signOut(
  deps: Pick<ServerDeps, 'db' | 'now'>,
  viewer: { username: string; tokenId: string; tokenKind: 'session' | 'api' },
  clientAddress: string,
): Promise<void> {
  if (viewer.tokenKind !== 'session') throw new NcsError('not_a_session');
  const now = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    await revokeSession(trx, viewer.tokenId, now);
    await appendAudit(trx, { actor: viewer.username, action: 'sign_out', at: now, details: { address: clientAddress, sessionId: viewer.tokenId } });
  });
}
