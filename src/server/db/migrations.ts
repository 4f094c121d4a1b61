// Schema migrations in order; a landed migration is never edited, a change is a new one.
import { PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

const initial: Migration = {
  async up(db: Kysely<any>) {
    // Project numbers sort in byte order on both databases.
    const byteOrder = isPostgres(db) ? sql`collate "C"` : sql`collate binary`;

    await db.schema
      .createTable('users')
      .addColumn('username_key', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('is_global_admin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('project_admins')
      .addColumn('username_key', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_admins_pk', ['username_key', 'project_id'])
      .execute();
    await db.schema.createIndex('project_admins_by_project').on('project_admins').column('project_id').execute();

    await db.schema
      .createTable('auth_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('username_key', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('absolute_expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('auth_tokens_by_user').on('auth_tokens').column('username_key').execute();

    await db.schema
      .createTable('sign_in_failures')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username_key', 'text', (c) => c.notNull())
      .addColumn('client_address', 'text', (c) => c.notNull())
      .addColumn('failed_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sign_in_failures_by_user').on('sign_in_failures').columns(['username_key', 'failed_at']).execute();
    await db.schema.createIndex('sign_in_failures_by_address').on('sign_in_failures').columns(['client_address', 'failed_at']).execute();

    await db.schema
      .createTable('projects')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('number', 'text', (c) => c.notNull().modifyEnd(byteOrder))
      .addColumn('number_key', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('company_id', 'text', (c) => c.notNull())
      .addColumn('procore_project_id', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('transient_reason', 'text')
      .addColumn('failed_rounds', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('since', 'text', (c) => c.notNull())
      .addColumn('last_sync_at', 'text')
      .addColumn('last_error_code', 'text')
      .addColumn('last_error_message', 'text')
      .addColumn('last_error_at', 'text')
      .addColumn('item_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('projects_by_number').on('projects').column('number').execute();
    await db.schema.createIndex('projects_by_status').on('projects').columns(['status', 'number']).execute();

    await db.schema
      .createTable('bic_assignments')
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('username_key', 'text', (c) => c.notNull())
      .addColumn('procore_login', 'text', (c) => c.notNull())
      .addColumn('login_key', 'text', (c) => c.notNull())
      .addColumn('procore_user_id', 'text')
      .addPrimaryKeyConstraint('bic_assignments_pk', ['project_id', 'position'])
      .execute();
    await db.schema.createIndex('bic_by_username').on('bic_assignments').column('username_key').execute();
    await db.schema.createIndex('bic_by_login').on('bic_assignments').column('login_key').execute();
    await db.schema.createIndex('bic_by_procore_user').on('bic_assignments').column('procore_user_id').execute();

    await db.schema
      .createTable('account_results')
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('login_key', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('checked_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('account_results_pk', ['project_id', 'login_key'])
      .execute();

    await db.schema
      .createTable('credentials')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('procore_user_id', 'text', (c) => c.notNull().unique())
      .addColumn('procore_login', 'text', (c) => c.notNull())
      .addColumn('access_token_enc', 'text', (c) => c.notNull())
      .addColumn('refresh_token_enc', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('issued_at', 'text')
      .addColumn('redirect_uri', 'text', (c) => c.notNull())
      .addColumn('obtained_at', 'text', (c) => c.notNull())
      .addColumn('obtained_by', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('refresh_started_at', 'text')
      .addColumn('dead_reason', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('reconnect_attempts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state_hash', 'text', (c) => c.notNull())
      .addColumn('username_key', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('redirect_uri', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('outcome', 'text')
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('project_number', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_by_time').on('audit_log').columns(['at', 'id']).execute();

    await db.schema
      .createTable('mirror_items')
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('item_type', 'text', (c) => c.notNull())
      .addColumn('procore_id', 'text', (c) => c.notNull())
      .addColumn('procore_updated_at', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('mirror_items_pk', ['project_id', 'item_type', 'procore_id'])
      .execute();
  },
};

/** The sync engine (SPEC 4.4): when each project is due, per-account pacing, and one mirror cursor per (project, type). */
const syncEngine: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('projects').addColumn('sync_due_at', 'text').execute();
    await db.schema.alterTable('credentials').addColumn('me_checked_at', 'text').execute();
    await db.schema.alterTable('credentials').addColumn('rate_limited_until', 'text').execute();
    await db.schema
      .createTable('sync_cursors')
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('item_type', 'text', (c) => c.notNull())
      .addColumn('cursor_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('sync_cursors_pk', ['project_id', 'item_type'])
      .execute();
  },
};

export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_sync_engine': syncEngine,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
