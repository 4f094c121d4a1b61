// A pass over every project: each account refreshed at most once, however many of its projects run at once,
// and every project claimed by one instance only.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tryAcquireLease } from '../../../src/server/leases.js';
import { runSyncPass, syncLeaseName } from '../../../src/server/sync/run-pass.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNT_IDS, LOGINS, startWorld, type World } from '../reconnect/world.js';

const HOUR = 3_600_000;
const kinds = await availableDatabaseKinds();

describe.each(kinds)('a sync pass on %s', (kind) => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld(kind);
  });
  afterEach(async () => world?.close());

  const statuses = () => world.server.deps.db.selectFrom('projects').select(['number', 'status', 'reason']).orderBy('number').execute();

  it('refreshes each account once when its tokens are due, whatever the number of its projects', async () => {
    await world.storeMinted(LOGINS.jsmith, ACCOUNT_IDS.jsmith);
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    world.clock.advance(1.5 * HOUR - 60_000);
    const report = await runSyncPass(world.server.deps, { concurrency: 8 });
    expect(report).toMatchObject({ synced: 3, lost: 1, skipped: 1, failed: 0, errors: 0 });
    // jsmith is BIC of P-1002 and P-1004 (synced at the same time), mlee of P-1001: two refreshes, one /me each.
    const stats = await world.control('GET', '/__emulator/stats');
    expect(stats.tokenRequests).toBe(2);
    expect(stats.refreshTokenReuse).toBe(0);
    expect(await statuses()).toEqual([
      { number: 'P-1001', status: 'connected', reason: null },
      { number: 'P-1002', status: 'connected', reason: null },
      { number: 'P-1003', status: 'connection_lost', reason: 'migrated_from_trimble' },
      { number: 'P-1004', status: 'connected', reason: null },
      { number: 'P-1005', status: 'connection_lost', reason: 'no_credential' },
    ]);
  });

  it('leaves a project another instance has claimed to that instance', async () => {
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    const harbor = world.projectIds['P-1001']!;
    expect(await tryAcquireLease(world.server.deps.db, syncLeaseName(harbor), 'other-instance', 60_000, world.clock.now())).toBe(true);
    const report = await runSyncPass(world.server.deps);
    expect(report.busy).toBe(1);
    const row = await world.server.deps.db.selectFrom('projects').select(['last_sync_at', 'sync_due_at']).where('id', '=', harbor).executeTakeFirstOrThrow();
    expect(row).toEqual({ last_sync_at: null, sync_due_at: null });
    // Once the other holder's claim has expired (it crashed), the project is synced here.
    world.clock.advance(61_000);
    expect(await runSyncPass(world.server.deps)).toMatchObject({ synced: 1, busy: 0 });
  });

  it('takes no further project once told the server is stopping', async () => {
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
    let asked = 0;
    // Stops after the first project has been taken: one round, the rest left due for the next start.
    const report = await runSyncPass(world.server.deps, { concurrency: 1, stopping: () => asked++ > 1 });
    const rounds = report.synced + report.lost + report.skipped + report.failed;
    expect(rounds).toBe(1);
    const due = await world.server.deps.db.selectFrom('projects').select('id').where('sync_due_at', 'is', null).execute();
    expect(due).toHaveLength(4);
  });
});
