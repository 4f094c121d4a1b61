// Behaviour of `ncs-server audit list [--since ISO|24h] [--json]`: the audit log, readable or as JSON.
import { listAudit, type AuditEntry } from '../../audit/audit-log.js';
import { AdminError, type AdminContext } from '../../cli/context.js';
import { formatTable, shortTime } from './common.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `24h`, `7d`, `30m`: that long before `now`; or an ISO 8601 date or date-time (UTC unless it says otherwise). */
export function parseSince(value: string, now: Date): Date {
  const duration = /^\s*(\d{1,9})\s*([smhdw])\s*$/i.exec(value);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]!.toLowerCase()]!);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const iso = value.trim().replace(' ', 'T');
    // A date-time without an offset is read as UTC, like every time NCS prints.
    const at = new Date(/T/.test(iso) && !/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? `${iso}Z` : iso);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new AdminError(`--since "${value}" is neither a duration (30m, 24h, 7d) nor an ISO 8601 date (2025-03-01 or 2025-03-01T09:30:00Z).`, 2);
}

function detailsText(entry: AuditEntry): string {
  return Object.entries(entry.details)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

export async function printAudit(ctx: AdminContext, opts: { since?: string; json: boolean }): Promise<void> {
  const since = opts.since === undefined ? undefined : parseSince(opts.since, ctx.now());
  const entries = await listAudit(await ctx.openDb(), { since });
  if (opts.json) {
    ctx.io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return;
  }
  if (entries.length === 0) {
    ctx.io.stderr.write(since ? `No audit entries since ${shortTime(since.toISOString())}.\n` : 'The audit log is empty.\n');
    return;
  }
  const rows = entries.map((entry) => [shortTime(entry.at), entry.actor, entry.action, entry.projectNumber ?? '-', detailsText(entry)]);
  ctx.io.stdout.write(formatTable(['TIME', 'ACTOR', 'ACTION', 'PROJECT', 'DETAILS'], rows));
}
