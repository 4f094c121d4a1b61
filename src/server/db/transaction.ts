// The database handle stores accept (the database or an open transaction), and joining the caller's transaction.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type DbOrTrx = Kysely<Database> | Transaction<Database>;

/** Runs `work` in the caller's transaction, or in a new one when given the plain database. */
export function inTransaction<T>(db: DbOrTrx, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<Database>);
  return db.transaction().execute(work);
}

/** Keeps `in (…)` lists well under SQLite's and PostgreSQL's bound-parameter limits. */
export const ID_BATCH = 500;

export function batches<T>(values: readonly T[], size = ID_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
