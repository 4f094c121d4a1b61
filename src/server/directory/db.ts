// The database handle directory functions accept: the database itself or a transaction already open.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

export type DbOrTrx = Kysely<Database> | Transaction<Database>;

/** Runs `work` in a transaction, joining the caller's when it already holds one. */
export function inTransaction<T>(db: DbOrTrx, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<Database>);
  return db.transaction().execute(work);
}
