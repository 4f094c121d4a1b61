// The scheduler and what asks it for work (SPEC 4.2, 4.3, 4.4): rounds every NCS_SYNC_INTERVAL, a sync asked for
// through the API, restored projects synced at once after a reconnect, and the counts in /metrics.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSyncScheduler, type SyncScheduler } from '../../../src/server/sync/scheduler.js';
import { runSyncPass } from '../../../src/server/sync/run-pass.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNT_IDS, LOGINS, PROCORE, startWorld, type World } from '../reconnect/world.js';

const kinds = await availableDatabaseKinds();

describe.each(kinds)('the sync scheduler on %s', (kind) => {
  let world: World;
  let scheduler: SyncScheduler | undefined;
  beforeEach(async () => {
    world = await startWorld(kind);
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    await world?.close();
  });

  const detail = async (number: string) => (await world.api('GET', `/api/v1/projects/${number}`, 'gadmin')).json();
  const dueAt = async (number: string) =>
    (await world.server.deps.db.selectFrom('projects').select('sync_due_at').where('number', '=', number).executeTakeFirstOrThrow()).sync_due_at;

  it('syncs every project at start, then again only once NCS_SYNC_INTERVAL has passed', async () => {
    scheduler = startSyncScheduler(world.server.deps);
    // The first pass starts at once; the next one, on the same clock, finds nothing due.
    expect(await scheduler.nextPass()).toMatchObject({ synced: 0, lost: 0, skipped: 0, failed: 0 });
    const syncedAt = (await detail('P-1001')).sync.lastSyncAt;
    expect(syncedAt).toBe(world.clock.now().toISOString());
    const interval = world.server.deps.config.syncIntervalSeconds * 1000;
    expect(await dueAt('P-1001')).toBe(new Date(world.clock.now().getTime() + interval).toISOString());

    world.clock.advance(interval - 1000);
    expect(await scheduler.nextPass()).toMatchObject({ synced: 0, lost: 0, skipped: 0 });
    world.clock.advance(1000);
    expect(await scheduler.nextPass()).toMatchObject({ synced: 1 });
    expect((await detail('P-1001')).sync.lastSyncAt).toBe(world.clock.now().toISOString());
  });

  it('runs a round at once when an admin asks for a sync, and answers 202 with the time asked', async () => {
    scheduler = startSyncScheduler(world.server.deps);
    await scheduler.nextPass();
    world.clock.advance(60_000);
    await world.control('POST', `/__emulator/projects/${PROCORE.harbor}/rfis`, { subject: 'Asked for' });
    const asked = await world.api('POST', '/api/v1/projects/P-1001/sync', 'gadmin', {});
    expect(asked.statusCode).toBe(202);
    expect(asked.json()).toEqual({ requestedAt: world.clock.now().toISOString() });
    await scheduler.nextPass();
    expect((await detail('P-1001')).sync).toMatchObject({ lastSyncAt: world.clock.now().toISOString(), rfis: 1 });
  });

  it('a sync asked for on one instance is found by another instance\'s pass', async () => {
    await runSyncPass(world.server.deps);
    const asked = await world.api('POST', '/api/v1/projects/P-1001/sync', 'gadmin', {});
    expect(asked.statusCode).toBe(202);
    expect(await dueAt('P-1001')).toBe(world.clock.now().toISOString());
    // No scheduler in this process: what was asked waits in the database for whichever instance passes next.
    const other = { ...world.server.deps, instanceId: 'other-instance' };
    expect(await runSyncPass(other)).toMatchObject({ synced: 1 });
  });

  it('syncs the projects a reconnect restored at once, catching up on their items', async () => {
    await runSyncPass(world.server.deps);
    expect((await detail('P-1002')).status).toBe('connection_lost');
    await world.control('POST', `/__emulator/projects/${PROCORE.library}/rfis`, { subject: 'While it was lost' });
    scheduler = startSyncScheduler(world.server.deps);
    await scheduler.nextPass();
    const { attemptId, state, code } = await world.attempt('jsmith', 'P-1002', LOGINS.jsmith);
    const completed = await world.api('POST', '/api/v1/projects/P-1002/procore-token', 'jsmith', { attemptId, state, code });
    expect(completed.statusCode).toBe(200);
    // The intake woke the scheduler; whatever pass runs next starts after that one.
    await scheduler.nextPass();
    const library = await detail('P-1002');
    expect(library).toMatchObject({ status: 'connected', sync: { lastSyncAt: world.clock.now().toISOString(), lastError: null, rfis: 1 } });
  });

  it('counts passes, rounds by outcome, failures by reason and items in /metrics', async () => {
    await world.control('POST', `/__emulator/projects/${PROCORE.harbor}/rfis`, { subject: 'Counted' });
    await world.storeMinted(LOGINS.jsmith, ACCOUNT_IDS.jsmith);
    await world.control('POST', `/__emulator/accounts/${encodeURIComponent(LOGINS.jsmith)}/revoke`);
    await runSyncPass(world.server.deps);
    const metrics = (await world.server.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('ncs_sync_passes_total 1');
    expect(metrics).toContain('ncs_sync_rounds_total{outcome="synced"} 1');
    expect(metrics).toContain('ncs_sync_rounds_total{outcome="skipped"} 1');
    expect(metrics).toContain('ncs_sync_rounds_total{outcome="lost"} 3');
    expect(metrics).toContain('ncs_sync_items_total{type="rfis"} 1');
    // jsmith's revoked grant fails both of its projects (P-1002, P-1004); Procore refused one refresh.
    expect(metrics).toContain('ncs_sync_failures_total{reason="token_revoked"} 2');
    expect(metrics).toContain('ncs_token_refreshes_total{outcome="token_revoked"} 1');
  });
});
