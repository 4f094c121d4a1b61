// Sign-in throttling kept in the database (so it holds across instances): 5 failures per username or 100 per address in 15 minutes.
import { newRowId } from '../ids.js';
import type { DbOrTrx } from '../db/transaction.js';

export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_USERNAME = 5;
export const MAX_FAILURES_PER_ADDRESS = 100;

export interface SignInSubject {
  usernameKey: string;
  clientAddress: string;
}

export type AttemptAdmission =
  | { admitted: true; attemptId: string; usernameFailures: number; addressFailures: number }
  | { admitted: false; retryAfterSeconds: number };

/**
 * Seconds until enough counted failures leave the window for one more attempt: with `times` sorted
 * oldest first and `limit` allowed, the attempt is possible again once `times.length - limit + 1` have left.
 */
function secondsUntilBelowLimit(times: string[], limit: number, now: Date): number {
  if (times.length < limit) return 0;
  const leaving = Date.parse(times[times.length - limit]!) + SIGN_IN_WINDOW_MS;
  return Math.max(1, Math.ceil((leaving - now.getTime()) / 1000));
}

/**
 * Records the attempt as a failure before the password is checked, then counts: concurrent guesses (on
 * any instance) each see the others' rows, so no burst slips past the limit between check and record.
 * Deliberately not in a transaction: the row must be visible to other instances at once. A throttled
 * attempt removes its row again (it does not count) and answers when to retry.
 */
export async function admitSignInAttempt(db: DbOrTrx, subject: SignInSubject, now: Date): Promise<AttemptAdmission> {
  const attemptId = newRowId('sif', now);
  const cutoff = new Date(now.getTime() - SIGN_IN_WINDOW_MS).toISOString();
  await db
    .insertInto('sign_in_failures')
    .values({ id: attemptId, username_key: subject.usernameKey, client_address: subject.clientAddress, failed_at: now.toISOString() })
    .execute();
  const [byUsername, byAddress] = await Promise.all([
    db
      .selectFrom('sign_in_failures')
      .select(['id', 'failed_at'])
      .where('username_key', '=', subject.usernameKey)
      .where('failed_at', '>', cutoff)
      .orderBy('failed_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('sign_in_failures')
      .select(['id', 'failed_at'])
      .where('client_address', '=', subject.clientAddress)
      .where('failed_at', '>', cutoff)
      .orderBy('failed_at')
      .orderBy('id')
      .execute(),
  ]);
  const others = (rows: { id: string; failed_at: string }[]) => rows.filter((row) => row.id !== attemptId).map((row) => row.failed_at);
  const waitSeconds = Math.max(
    secondsUntilBelowLimit(others(byUsername), MAX_FAILURES_PER_USERNAME, now),
    secondsUntilBelowLimit(others(byAddress), MAX_FAILURES_PER_ADDRESS, now),
  );
  if (waitSeconds > 0) {
    await db.deleteFrom('sign_in_failures').where('id', '=', attemptId).execute();
    return { admitted: false, retryAfterSeconds: waitSeconds };
  }
  return { admitted: true, attemptId, usernameFailures: byUsername.length, addressFailures: byAddress.length };
}

/** A success clears that username's failures (from every address), and nobody else's. */
export async function clearSignInFailures(db: DbOrTrx, usernameKey: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('username_key', '=', usernameKey).execute();
}

/** A failed attempt keeps its row; rows that left the window are pruned on the way. */
export async function pruneSignInFailures(db: DbOrTrx, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - SIGN_IN_WINDOW_MS).toISOString();
  await db.deleteFrom('sign_in_failures').where('failed_at', '<=', cutoff).execute();
}
