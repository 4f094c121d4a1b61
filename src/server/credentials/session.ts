// Calls Procore with a stored credential: refresh when due, and one refresh + one retry after a 401 (SPEC 4.4).
import { isProcoreError } from '../../procore/index.js';
import type { ServerDeps } from '../deps.js';
import { obtainAccessToken, type TokenOutcome } from './refresh.js';
import { findCredentialById, markCredentialDead, type CredentialRow, type DeadReason } from './store.js';

export type UnusableOutcome = Exclude<TokenOutcome, { kind: 'usable' }>;

/** The credential cannot be used right now: dead (needs a reconnect), transient, or failed. */
export class CredentialUnusableError extends Error {
  constructor(readonly outcome: UnusableOutcome) {
    super(outcome.message);
    this.name = 'CredentialUnusableError';
  }
}

export const SUPERSEDED_TOKEN_MESSAGE = 'The Procore token was replaced by another operation while this one used it; the next round uses the new one.';

export const FRESH_TOKEN_REFUSED_MESSAGE = 'Procore refused an access token it had just issued (401): the grant was revoked.';

/**
 * One operation's use of one credential (a check, an intake, a sync round): the token is obtained once,
 * a refresh happens at most once, and `refreshed` tells whether it did.
 */
export class CredentialSession {
  private outcome: TokenOutcome | undefined;
  /** True when the token in hand was obtained by this operation, so a 401 on it is final. */
  private fresh = false;
  private refreshedOnce = false;

  constructor(
    private readonly deps: ServerDeps,
    private row: CredentialRow,
  ) {}

  get credential(): CredentialRow {
    return this.row;
  }

  get refreshed(): boolean {
    return this.refreshedOnce;
  }

  /** The token outcome (refreshing when due), computed once per session. */
  async token(): Promise<TokenOutcome> {
    if (!this.outcome) this.settle(await obtainAccessToken(this.deps, this.row));
    return this.outcome!;
  }

  private settle(outcome: TokenOutcome): void {
    this.outcome = outcome;
    if (outcome.kind === 'usable' || outcome.kind === 'dead') this.row = outcome.credential;
    if (outcome.kind === 'usable' && outcome.refreshed) {
      this.fresh = true;
      this.refreshedOnce = true;
    }
  }

  private async usableToken(): Promise<string> {
    const outcome = await this.token();
    if (outcome.kind !== 'usable') throw new CredentialUnusableError(outcome);
    return outcome.accessToken;
  }

  /**
   * Runs `use` with the access token. A 401 on a token this operation did not obtain triggers one refresh
   * under the lease and one retry; a 401 on a fresh token means the grant is gone (token_revoked).
   * Throws CredentialUnusableError, or the ProcoreError of `use` for anything else.
   */
  async call<T>(use: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.usableToken();
    try {
      return await use(token);
    } catch (error) {
      if (!isProcoreError(error) || error.kind !== 'unauthorized') throw error;
      if (this.fresh && !this.tokenRanOut()) {
        // Rotation kills the old access token: when another operation (another instance) refreshed the pair after
        // ours was obtained, the 401 is about our superseded token, not the grant; the current pair gets the retry.
        const current = await findCredentialById(this.deps.db, this.row.id);
        if (!current || current.version === this.row.version || current.dead_reason) return this.refuseFreshToken();
        this.settle(await obtainAccessToken(this.deps, current));
      } else {
        // A token not obtained by this operation, or a fresh one that has simply run out (short lifetimes, a long
        // operation): one refresh under the lease.
        this.settle(await obtainAccessToken(this.deps, this.row, { force: true }));
      }
      const retried = await this.usableToken();
      try {
        return await use(retried);
      } catch (retryError) {
        if (isProcoreError(retryError) && retryError.kind === 'unauthorized') return this.refuseFreshToken();
        throw retryError;
      }
    }
  }

  /** True when the token in hand is past its expiry by our clock: a 401 on it says nothing about the grant. */
  private tokenRanOut(): boolean {
    return Date.parse(this.row.expires_at) <= this.deps.now().getTime();
  }

  private async refuseFreshToken(): Promise<never> {
    if (!(await markCredentialDead(this.deps.db, this.row, 'token_revoked', this.deps.now()))) {
      // The pair moved on meanwhile (rotated or replaced by another operation): the refusal says nothing about the grant.
      const current = await findCredentialById(this.deps.db, this.row.id);
      const outcome: UnusableOutcome = current?.dead_reason
        ? { kind: 'dead', credential: current, reason: current.dead_reason as DeadReason, message: FRESH_TOKEN_REFUSED_MESSAGE }
        : { kind: 'failed', message: SUPERSEDED_TOKEN_MESSAGE };
      this.outcome = outcome;
      throw new CredentialUnusableError(outcome);
    }
    const dead: UnusableOutcome = {
      kind: 'dead',
      credential: { ...this.row, dead_reason: 'token_revoked', version: this.row.version + 1 },
      reason: 'token_revoked',
      message: FRESH_TOKEN_REFUSED_MESSAGE,
    };
    this.outcome = dead;
    throw new CredentialUnusableError(dead);
  }
}

/** `use` with the credential's access token, refreshed when due or after a 401 (see CredentialSession.call). */
export async function withAccessToken<T>(deps: ServerDeps, row: CredentialRow, use: (accessToken: string) => Promise<T>): Promise<T> {
  return new CredentialSession(deps, row).call(use);
}
