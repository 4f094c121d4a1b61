// Stores what one project's sync round concluded: account results, the transient-failure counter and the sync
// fields, and recomputes the project's status in the same transaction (SPEC 3, 4.4).
import type { TransientReason } from '../../core/index.js';
import { isPostgres } from '../db/migrations.js';
import { inTransaction, type DbOrTrx } from '../db/transaction.js';
import { writeAccountResults, type AccountResultUpdate } from '../projects/project-state.js';

/** Consecutive failed rounds after which a connected project shows `degraded` / `procore_unreachable`. */
export const FAILED_ROUNDS_BEFORE_DEGRADED = 3;

export type RoundOutcome =
  /** An account pulled everything: the project is connected (and no longer degraded). */
  | 'synced'
  /** Every BIC account needs a person to act. */
  | 'lost'
  /** A transient failure stopped the round (Procore unreachable, or a rate limit longer than the interval). */
  | 'failed'
  /** Procore asked to wait (429) less than the interval: the round is put off, nothing failed. */
  | 'deferred'
  /** Not synced by design (migrated from Trimble and not reconnected yet). */
  | 'skipped';

export interface RoundRecord {
  outcome: RoundOutcome;
  updates: AccountResultUpdate[];
  /** What stopped the round or lost the project; becomes the detail's `sync.lastError`. */
  error?: { code: string; message: string };
  /** For a failed round: the condition it shows once the project is degraded. */
  transient?: TransientReason;
  /** Degrade at once rather than after FAILED_ROUNDS_BEFORE_DEGRADED rounds (a rate-limit wait longer than the interval). */
  degradeNow?: boolean;
  /** When the project is next due. */
  dueAt: Date;
}

export async function recordRound(db: DbOrTrx, projectId: string, record: RoundRecord, now: Date): Promise<void> {
  await inTransaction(db, async (trx) => {
    let query = trx.selectFrom('projects').select(['failed_rounds', 'transient_reason']).where('id', '=', projectId);
    if (isPostgres(trx)) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) return;
    const nowIso = now.toISOString();
    const error = record.error ? { last_error_code: record.error.code, last_error_message: record.error.message, last_error_at: nowIso } : {};
    const cleared = { last_error_code: null, last_error_message: null, last_error_at: null };
    const due = { sync_due_at: record.dueAt.toISOString() };
    switch (record.outcome) {
      case 'synced':
        await trx.updateTable('projects').set({ ...due, ...cleared, failed_rounds: 0, transient_reason: null, last_sync_at: nowIso }).where('id', '=', projectId).execute();
        break;
      case 'lost':
        await trx.updateTable('projects').set({ ...due, ...error, failed_rounds: 0, transient_reason: null }).where('id', '=', projectId).execute();
        break;
      case 'failed': {
        const failedRounds = row.failed_rounds + 1;
        const degraded = record.degradeNow || failedRounds >= FAILED_ROUNDS_BEFORE_DEGRADED;
        const transient = degraded ? (record.transient ?? 'procore_unreachable') : row.transient_reason;
        await trx.updateTable('projects').set({ ...due, ...error, failed_rounds: failedRounds, transient_reason: transient }).where('id', '=', projectId).execute();
        break;
      }
      case 'deferred':
        await trx.updateTable('projects').set({ ...due, ...error }).where('id', '=', projectId).execute();
        break;
      case 'skipped':
        await trx.updateTable('projects').set(due).where('id', '=', projectId).execute();
        break;
    }
    // Writes the results (if any) and recomputes status, reason, since and the stored item in this transaction.
    await writeAccountResults(trx, projectId, record.updates, now);
  });
}
