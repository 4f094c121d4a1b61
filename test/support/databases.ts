// Opens a fresh, migrated database for a test: SQLite in memory, or a throw-away PostgreSQL schema.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Db } from '../../src/server/db/connect.js';

export const PG_URL = process.env.NCS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type DatabaseKind = 'sqlite' | 'postgres';
export const DATABASE_KINDS: DatabaseKind[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  db: Db;
  kind: DatabaseKind;
  /** What a child process needs to reach the same database. */
  env: Record<string, string>;
  close(): Promise<void>;
}

let postgresAnswers: boolean | undefined;

/** PostgreSQL must answer under CI; elsewhere its absence skips the PostgreSQL variants with a note. */
export async function postgresAvailable(): Promise<boolean> {
  if (postgresAnswers !== undefined) return postgresAnswers;
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    postgresAnswers = true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL does not answer at ${PG_URL} (CI requires it): ${String(error)}`);
    console.warn(`PostgreSQL does not answer at ${PG_URL}: PostgreSQL tests skipped (they fail under CI=true).`);
    postgresAnswers = false;
  }
  return postgresAnswers;
}

export async function openTestDatabase(kind: DatabaseKind, options: { sqliteFile?: string } = {}): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const db = await openDatabase({ sqliteFile: options.sqliteFile ?? ':memory:' });
    await migrateToLatest(db);
    return {
      db,
      kind,
      env: options.sqliteFile ? {} : {},
      close: () => db.destroy(),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = await openDatabase({ url: PG_URL, pgSchema: schema });
  await migrateToLatest(db);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    db,
    kind,
    env: { DATABASE_URL: url.toString() },
    async close() {
      await db.destroy();
      const cleaner = new pg.Client({ connectionString: PG_URL });
      await cleaner.connect();
      await cleaner.query(`drop schema if exists ${schema} cascade`);
      await cleaner.end();
    },
  };
}

/** `describe.each` rows: both databases, PostgreSQL only where it answers (always under CI). */
export async function availableDatabaseKinds(): Promise<DatabaseKind[]> {
  return (await postgresAvailable()) ? DATABASE_KINDS : ['sqlite'];
}
