// A sync pass: every due project, claimed one at a time through a lease row so that across all instances each
// project's round runs once (SPEC 4.4), a few projects at a time.
import { batches } from '../db/transaction.js';
import type { ServerDeps } from '../deps.js';
import { releaseLease, tryAcquireLease } from '../leases.js';
import { leaseHolderFor } from '../credentials/refresh.js';
import { SyncPass } from './pass.js';
import { syncProject, type ProjectToSync } from './project-round.js';
import type { RoundOutcome } from './round-record.js';

/** A claim outlives a crashed holder by at most this; the holder renews it between requests. */
export const SYNC_LEASE_TTL_MS = 60_000;
const DUE_BATCH = 200;
export const DEFAULT_SYNC_CONCURRENCY = 4;

export function syncLeaseName(projectId: string): string {
  return `sync:${projectId}`;
}

export interface SyncPassOptions {
  /** Rounds run at once by this instance. */
  concurrency?: number;
  /** Told about a round that threw (a bug or the database gone); the pass goes on with the others. */
  onError?: (error: unknown, projectNumber: string) => void;
  /** Checked before each project: true ends the pass early (the server is stopping); rounds in progress finish. */
  stopping?: () => boolean;
}

export type SyncPassReport = Record<RoundOutcome | 'busy' | 'errors', number>;

/** Due: never synced, asked for, or its interval passed. */
async function dueProjects(deps: ServerDeps, after: string, nowIso: string): Promise<ProjectToSync[]> {
  const rows = await deps.db
    .selectFrom('projects')
    .select(['id', 'number', 'company_id', 'procore_project_id'])
    .where('id', '>', after)
    .where((eb) => eb.or([eb('sync_due_at', 'is', null), eb('sync_due_at', '<=', nowIso)]))
    .orderBy('id')
    .limit(DUE_BATCH)
    .execute();
  return rows.map((row) => ({ id: row.id, number: row.number, companyId: row.company_id, procoreProjectId: row.procore_project_id }));
}

async function stillDue(deps: ServerDeps, projectId: string, nowIso: string): Promise<boolean> {
  const row = await deps.db.selectFrom('projects').select('sync_due_at').where('id', '=', projectId).executeTakeFirst();
  return row !== undefined && (row.sync_due_at === null || row.sync_due_at <= nowIso);
}

/** Claims and syncs one project; `busy` when another instance holds it or has just done it. */
async function claimAndSync(deps: ServerDeps, pass: SyncPass, project: ProjectToSync): Promise<RoundOutcome | 'busy'> {
  const name = syncLeaseName(project.id);
  const holder = leaseHolderFor(deps);
  if (!(await tryAcquireLease(deps.db, name, holder, SYNC_LEASE_TTL_MS, deps.now()))) return 'busy';
  try {
    // Another instance may have finished it between our query and our claim.
    if (!(await stillDue(deps, project.id, pass.startedAt.toISOString()))) return 'busy';
    let renewedAt = deps.now().getTime();
    return await syncProject(pass, project, {
      // Renewed once a third of the claim has passed, not after every request: most rounds never need it.
      heartbeat: async () => {
        const now = deps.now();
        if (now.getTime() - renewedAt < SYNC_LEASE_TTL_MS / 3) return;
        renewedAt = now.getTime();
        await tryAcquireLease(deps.db, name, holder, SYNC_LEASE_TTL_MS, now);
      },
    });
  } finally {
    await releaseLease(deps.db, name, holder);
  }
}

/** Runs one pass over every project due now; returns how each round ended. */
export async function runSyncPass(deps: ServerDeps, options: SyncPassOptions = {}): Promise<SyncPassReport> {
  const pass = new SyncPass(deps);
  const nowIso = pass.startedAt.toISOString();
  const report: SyncPassReport = { synced: 0, lost: 0, failed: 0, deferred: 0, skipped: 0, busy: 0, errors: 0 };
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_SYNC_CONCURRENCY);
  const stopping = options.stopping ?? (() => false);
  let after = '';
  while (!stopping()) {
    const batch = await dueProjects(deps, after, nowIso);
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.id;
    let next = 0;
    const worker = async () => {
      while (next < batch.length && !stopping()) {
        const project = batch[next++]!;
        try {
          report[await claimAndSync(deps, pass, project)] += 1;
        } catch (error) {
          report.errors += 1;
          deps.metrics.increment('ncs_sync_rounds_total', { outcome: 'error' });
          options.onError?.(error, project.number);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
  }
  deps.metrics.increment('ncs_sync_passes_total');
  return report;
}

/** Makes projects due now (a sync asked for, a reconnect accepted) and wakes this instance's scheduler. */
export async function requestSync(deps: ServerDeps, projectIds: readonly string[]): Promise<void> {
  if (projectIds.length === 0) return;
  const nowIso = deps.now().toISOString();
  for (const ids of batches(projectIds)) {
    await deps.db.updateTable('projects').set({ sync_due_at: nowIso }).where('id', 'in', ids).execute();
  }
  deps.sync.wake();
}
