// A cheap stamp of "everything committed so far": it changes whenever any write commits, here or in another
// instance or process, so a result read after it was taken stays valid for as long as the stamp is unchanged.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import { isPostgres } from './migrations.js';

/**
 * SQLite: rows this connection changed (total_changes) and commits by other connections (data_version).
 * PostgreSQL: the WAL insert position, which every commit of every instance moves forward.
 * Both move on writes that do not matter too (a session's sliding expiry); that only costs a cache miss.
 */
export async function readDataStamp(db: Db): Promise<string> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ stamp: string }>`select pg_current_wal_insert_lsn()::text as stamp`.execute(db);
    return rows[0]!.stamp;
  }
  const { rows } = await sql<{ changes: number; version: number }>`
    select total_changes() as changes, data_version as version from pragma_data_version()`.execute(db);
  return `${rows[0]!.changes}:${rows[0]!.version}`;
}
