// Table types for kysely: one schema for SQLite and PostgreSQL (timestamps are ISO 8601 UTC text, booleans 0/1).

export interface UsersTable {
  /** Lower-cased username: usernames match case-insensitively. */
  username_key: string;
  username: string;
  display_name: string;
  password_hash: string;
  is_global_admin: number;
  created_at: string;
}

export interface ProjectAdminsTable {
  username_key: string;
  project_id: string;
}

/** Sessions (`ncs_s_…`) and API tokens (`ncs_t_…`), stored as SHA-256 of the token. */
export interface AuthTokensTable {
  id: string;
  kind: 'session' | 'api';
  token_hash: string;
  username_key: string;
  name: string | null;
  created_at: string;
  last_used_at: string | null;
  /** Sliding expiry for sessions, fixed expiry for API tokens. */
  expires_at: string;
  /** Absolute limit for sessions (7 days); equal to expires_at for API tokens. */
  absolute_expires_at: string;
  revoked_at: string | null;
}

export interface SignInFailuresTable {
  id: string;
  username_key: string;
  client_address: string;
  failed_at: string;
}

export interface ProjectsTable {
  id: string;
  number: string;
  number_key: string;
  name: string;
  company_id: string;
  procore_project_id: string;
  origin: 'ncs' | 'trimble_migration';
  status: 'connected' | 'connection_lost' | 'degraded';
  reason: string | null;
  /** procore_unreachable or rate_limited while the sync engine sees a transient failure. */
  transient_reason: string | null;
  failed_rounds: number;
  since: string;
  last_sync_at: string | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: string | null;
  /** When the sync engine next takes the project; null means at once (a new project, or a sync asked for). */
  sync_due_at: string | null;
  /** The API list item as JSON, rewritten in the same transaction as every change it derives from. */
  item_json: string;
  created_at: string;
  updated_at: string;
}

export interface BicAssignmentsTable {
  project_id: string;
  position: number;
  username: string;
  username_key: string;
  procore_login: string;
  login_key: string;
  procore_user_id: string | null;
}

export interface AccountResultsTable {
  project_id: string;
  login_key: string;
  result: string;
  message: string | null;
  checked_at: string;
}

export interface CredentialsTable {
  id: string;
  procore_user_id: string;
  procore_login: string;
  /** Vault ciphertexts: `v1:<keyId>:<iv>:<ciphertext>:<tag>`, associated data = id + field name. */
  access_token_enc: string;
  refresh_token_enc: string;
  expires_at: string;
  /** When Procore issued the current access token (its created_at); with expires_at it gives expires_in for the refresh threshold. */
  issued_at: string | null;
  redirect_uri: string;
  obtained_at: string;
  obtained_by: string;
  version: number;
  refresh_started_at: string | null;
  /** token_revoked or token_expired once Procore refused the refresh; null while usable. */
  dead_reason: string | null;
  /** When the sync engine last compared /me with the account (standby accounts: once a day). */
  me_checked_at: string | null;
  /** Procore asked this account to wait (429) until then; its projects are not synced before. */
  rate_limited_until: string | null;
  updated_at: string;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

export interface ReconnectAttemptsTable {
  id: string;
  state_hash: string;
  username_key: string;
  project_id: string;
  redirect_uri: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  outcome: string | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actor: string;
  action: string;
  project_number: string | null;
  /** JSON object; never holds a secret. */
  details: string;
}

export interface MirrorItemsTable {
  project_id: string;
  item_type: 'rfi' | 'submittal';
  procore_id: string;
  procore_updated_at: string;
  data: string;
}

/** Where the next pull of a project's RFIs or submittals starts: the last complete pull's `to` minus 60 s. */
export interface SyncCursorsTable {
  project_id: string;
  item_type: 'rfi' | 'submittal';
  cursor_at: string;
}

export interface Database {
  users: UsersTable;
  project_admins: ProjectAdminsTable;
  auth_tokens: AuthTokensTable;
  sign_in_failures: SignInFailuresTable;
  projects: ProjectsTable;
  bic_assignments: BicAssignmentsTable;
  account_results: AccountResultsTable;
  credentials: CredentialsTable;
  leases: LeasesTable;
  reconnect_attempts: ReconnectAttemptsTable;
  audit_log: AuditLogTable;
  mirror_items: MirrorItemsTable;
  sync_cursors: SyncCursorsTable;
}
