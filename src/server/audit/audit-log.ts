// The audit log: who did what when (sign-ins, reconnects, revocations, key rotations), never a secret.
import type { Kysely, Transaction } from 'kysely';
import { redactText } from '../../core/index.js';
import type { Database } from '../db/schema.js';
import { newRowId } from '../ids.js';

export type AuditAction =
  | 'sign_in'
  | 'sign_in_failed'
  | 'sign_out'
  | 'reconnect_started'
  | 'reconnect_succeeded'
  | 'reconnect_rejected'
  | 'token_revoked'
  | 'api_token_created'
  | 'api_token_revoked'
  | 'vault_rekeyed'
  | 'projects_imported'
  | 'user_added'
  | 'user_renamed'
  | 'user_removed'
  | 'password_changed'
  | 'role_granted'
  | 'role_revoked';

export interface AuditEntryInput {
  actor: string;
  action: AuditAction;
  projectNumber?: string | null;
  details?: Record<string, unknown>;
  at?: Date;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  projectNumber: string | null;
  details: Record<string, unknown>;
}

export async function appendAudit(db: Kysely<Database> | Transaction<Database>, entry: AuditEntryInput): Promise<void> {
  const at = entry.at ?? new Date();
  // Redact again here so that a secret passed by mistake still never reaches the table.
  const details = redactText(JSON.stringify(entry.details ?? {}));
  await db
    .insertInto('audit_log')
    .values({
      id: newRowId('aud', at),
      at: at.toISOString(),
      actor: entry.actor,
      action: entry.action,
      project_number: entry.projectNumber ?? null,
      details,
    })
    .execute();
}

export async function listAudit(db: Kysely<Database>, options: { since?: Date; limit?: number } = {}): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('at').orderBy('id');
  if (options.since) query = query.where('at', '>=', options.since.toISOString());
  if (options.limit) query = query.limit(options.limit);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    projectNumber: row.project_number,
    details: JSON.parse(row.details) as Record<string, unknown>,
  }));
}
