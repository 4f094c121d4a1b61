// Small kysely helpers the project modules share: one transaction around multi-row changes, id batches.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

export type DbOrTrx = Kysely<Database> | Transaction<Database>;

/** Runs `work` in the caller's transaction, or in a new one when given the plain database. */
export async function inTransaction<T>(db: DbOrTrx, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
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
