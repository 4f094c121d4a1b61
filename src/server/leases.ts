// Named leases in the database: at most one holder across every instance (token refresh, sync claims).
import type { DbOrTrx } from './db/transaction.js';

/**
 * Takes the lease `name` for `holder` until now + ttlMs: inserts it, or takes over an expired one (or
 * renews our own) with a conditional update. Both statements are atomic on their own, so two instances
 * racing on SQLite or PostgreSQL cannot both win.
 */
export async function tryAcquireLease(db: DbOrTrx, name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
  const nowIso = now.toISOString();
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  const inserted = await db
    .insertInto('leases')
    .values({ name, holder, expires_at: expiresAt })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
  const taken = await db
    .updateTable('leases')
    .set({ holder, expires_at: expiresAt })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('expires_at', '<=', nowIso), eb('holder', '=', holder)]))
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) > 0;
}

/** Gives the lease back; a lease another holder took over after ours expired is left alone. */
export async function releaseLease(db: DbOrTrx, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}

/** The lease's current holder, or undefined when nobody holds it at `now`. */
export async function leaseHolder(db: DbOrTrx, name: string, now: Date): Promise<string | undefined> {
  const row = await db.selectFrom('leases').select(['holder', 'expires_at']).where('name', '=', name).executeTakeFirst();
  return row && row.expires_at > now.toISOString() ? row.holder : undefined;
}

export interface WaitForLeaseOptions {
  /** Wall-clock time to keep trying. */
  waitMs: number;
  pollMs?: number;
  /** Checked between tries: true ends the wait without the lease (e.g. the other holder already did the work). */
  stop?: () => Promise<boolean>;
}

/**
 * Tries to take the lease until it is free, `stop` says the wait is pointless, or `waitMs` passed.
 * Lease times come from `now` (the injected clock); the wait itself is wall-clock.
 */
export async function waitForLease(
  db: DbOrTrx,
  name: string,
  holder: string,
  ttlMs: number,
  now: () => Date,
  options: WaitForLeaseOptions,
): Promise<'acquired' | 'stopped' | 'timed_out'> {
  const waitUntil = Date.now() + options.waitMs;
  for (;;) {
    if (await tryAcquireLease(db, name, holder, ttlMs, now())) return 'acquired';
    if (options.stop && (await options.stop())) return 'stopped';
    if (Date.now() >= waitUntil) return 'timed_out';
    await new Promise<void>((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}
