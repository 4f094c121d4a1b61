// Opens the database named by DATABASE_URL (PostgreSQL) or the default SQLite file, and migrates it.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';

export type Db = Kysely<Database>;

export interface DatabaseTarget {
  /** `postgres://…`, or undefined for SQLite. */
  url?: string;
  /** SQLite file path; `:memory:` for tests. */
  sqliteFile?: string;
  /** PostgreSQL schema to use (tests isolate themselves in one each). */
  pgSchema?: string;
}

export async function openDatabase(target: DatabaseTarget): Promise<Db> {
  if (target.url && /^postgres(ql)?:\/\//.test(target.url)) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({
      connectionString: target.url,
      max: 10,
      ...(target.pgSchema ? { options: `-c search_path=${target.pgSchema}` } : {}),
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const { default: SQLite } = await import('better-sqlite3');
  const file = target.sqliteFile ?? ':memory:';
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL and a busy timeout let `ncs-server` admin commands run beside a running server.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/** Applies pending migrations under the migrator's lock (safe with several instances starting at once). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The database target from the environment: DATABASE_URL, else `{NCS_DATA_DIR}/ncs.db`. */
export function databaseTargetFromEnv(env: NodeJS.ProcessEnv): DatabaseTarget {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  const dataDir = env.NCS_DATA_DIR || './.ncs-data';
  return { sqliteFile: path.join(dataDir, 'ncs.db') };
}
