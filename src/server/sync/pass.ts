// One sync pass of this instance: what the projects it syncs share (one /me per account, the outage breaker).
import type { ProcoreMe } from '../../procore/index.js';
import { CredentialSession } from '../credentials/session.js';
import type { CredentialRow } from '../credentials/store.js';
import type { ServerDeps } from '../deps.js';
import type { AccountCalls } from '../reconnect/checks.js';

/** Once this many accounts in a row found Procore unreachable, the rest of the pass fails fast without calls. */
export const UNREACHABLE_ACCOUNTS_BEFORE_FAST_FAIL = 3;

export class SyncPass implements AccountCalls {
  /** Also the `to` of every pull of this pass. */
  readonly startedAt: Date;
  private readonly meCalls = new Map<string, Promise<ProcoreMe>>();
  /** Accounts that found Procore unreachable since the last answer from Procore. */
  private readonly unreachableAccounts = new Set<string>();
  private lastUnreachable: string | undefined;

  constructor(readonly deps: ServerDeps) {
    this.startedAt = deps.now();
  }

  /** A new session per project round: "the current operation" of SPEC 4.4's 401 rule is one project's round. */
  session(row: CredentialRow): CredentialSession {
    return new CredentialSession(this.deps, row);
  }

  /**
   * The account's /me, asked once per pass whatever the number of its projects; its outcome, failure included,
   * is shared, so an account Procore refuses or cannot serve costs one call (with its retries), not one per project.
   */
  me(session: CredentialSession): Promise<ProcoreMe> {
    const key = session.credential.id;
    let call = this.meCalls.get(key);
    if (!call) {
      call = session.call((token) => this.deps.procore.getMe(token)).then(async (me) => {
        await this.deps.db
          .updateTable('credentials')
          .set({ me_checked_at: this.deps.now().toISOString() })
          .where('id', '=', key)
          .execute();
        return me;
      });
      this.meCalls.set(key, call);
    }
    return call;
  }

  /** Procore answered: whatever failed before was not an outage. */
  reachable(): void {
    this.unreachableAccounts.clear();
  }

  /** Counted per account: one account's projects failing together say nothing about the others. */
  unreachable(credentialId: string, message: string): void {
    this.unreachableAccounts.add(credentialId);
    this.lastUnreachable = message;
  }

  /** The message to fail a round with, without calling Procore, when an outage is evident in this pass. */
  get outage(): string | undefined {
    return this.unreachableAccounts.size >= UNREACHABLE_ACCOUNTS_BEFORE_FAST_FAIL ? this.lastUnreachable : undefined;
  }
}
