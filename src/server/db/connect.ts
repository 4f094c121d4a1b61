// Opens the database named by DATABASE_URL (PostgreSQL) or the default SQLite file, and migrates it.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.js';
import { isPostgres, migrationProvider } from './migrations.js';

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
  if (file !== ':memory:') {
    mkdirSync(path.dirname(file), { recursive: true });
    // Created owner-only: it holds password hashes and encrypted Procore tokens (SQLite gives -wal/-shm the same mode).
    closeSync(openSync(file, 'a', 0o600));
  }
  const sqlite = new SQLite(file);
  // WAL and a busy timeout let `ncs-server` admin commands run beside a running server.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

/**
 * Kysely prepares every query anew; SQLite re-parsing the same statements costs a tenth of a request on hot routes.
 * Statements are reused by their SQL text (better-sqlite3 runs one at a time per connection, and re-prepares a
 * statement by itself after a schema change); the least recently added are dropped past the limit.
 */
export function withStatementCache(sqlite: SqliteDatabase, limit = 256): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(query: string) {
      // A transaction takes the write lock when it begins, so another process's writer makes it wait (busy_timeout)
      // instead of failing at its first write with SQLITE_BUSY, as a deferred transaction that already read does.
      const sqlText = query === 'begin' ? 'begin immediate' : query;
      let statement = statements.get(sqlText);
      if (statement === undefined) {
        statement = sqlite.prepare(sqlText);
        if (statements.size >= limit) statements.delete(statements.keys().next().value!);
        statements.set(sqlText, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      return sqlite.close();
    },
  };
}

/** Applies pending migrations under the migrator's lock (safe with several instances starting at once). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  if (await allMigrationsApplied(db)) return [];
  // Kysely looks for its migration tables in every schema unless told which one, so on PostgreSQL another schema's
  // tables (a second deployment, parallel test schemas) would be taken for ours: name the current schema.
  const migrationTableSchema = isPostgres(db)
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  const migrator = new Migrator({ db, provider: migrationProvider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  let { error, results } = await migrator.migrateToLatest();
  // The introspection fails when another schema is dropped while it reads the catalogue (see allMigrationsApplied);
  // nothing was migrated then, so trying again is safe.
  for (let retry = 0; retry < 3 && (error as { code?: string } | undefined)?.code === '3F000'; retry++) {
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * True when every migration is recorded as applied. Kysely's migrator introspects every schema of the database,
 * which on PostgreSQL fails ("schema … does not exist") when another schema is dropped meanwhile (parallel test
 * schemas, a neighbour deployment); an up-to-date database, the usual case for admin commands, skips it.
 */
async function allMigrationsApplied(db: Db): Promise<boolean> {
  try {
    const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const applied = new Set(rows.rows.map((row) => row.name));
    return Object.keys(await migrationProvider.getMigrations()).every((name) => applied.has(name));
  } catch {
    return false;
  }
}

/** The database target from the environment: DATABASE_URL, else `{NCS_DATA_DIR}/ncs.db`. */
export function databaseTargetFromEnv(env: NodeJS.ProcessEnv): DatabaseTarget {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  const dataDir = env.NCS_DATA_DIR || './.ncs-data';
  return { sqliteFile: path.join(dataDir, 'ncs.db') };
}
