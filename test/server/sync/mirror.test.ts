// The RFI and submittal mirror (SPEC 4.4) against the real emulator: every page stored, upserts by Procore id, the
// cursor at the round's `to` minus 60 s and moved only after the last page, and only what changed pulled again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcoreError } from '../../../src/procore/index.js';
import { CURSOR_OVERLAP_MS } from '../../../src/server/sync/mirror.js';
import { requestSync, runSyncPass } from '../../../src/server/sync/run-pass.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNT_IDS, LOGINS, PROCORE, startWorld, type World } from '../reconnect/world.js';

const kinds = await availableDatabaseKinds();

describe.each(kinds)('the mirror on %s', (kind) => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld(kind);
    await world.storeMinted(LOGINS.mlee, ACCOUNT_IDS.mlee);
  });
  afterEach(async () => world?.close());

  const harbor = () => world.projectIds['P-1001']!;
  const db = () => world.server.deps.db;
  const mirrored = (type: 'rfi' | 'submittal') =>
    db().selectFrom('mirror_items').select(['procore_id', 'data']).where('project_id', '=', harbor()).where('item_type', '=', type).execute();
  const cursor = (type: 'rfi' | 'submittal') =>
    db().selectFrom('sync_cursors').select('cursor_at').where('project_id', '=', harbor()).where('item_type', '=', type).executeTakeFirst();
  const syncHarbor = async () => {
    await requestSync(world.server.deps, [harbor()]);
    return runSyncPass(world.server.deps);
  };

  it('stores every page of a long listing and sets the cursor to the round\'s end minus 60 s', async () => {
    for (let i = 0; i < 230; i++) await world.control('POST', `/__emulator/projects/${PROCORE.harbor}/rfis`, { subject: `RFI ${i}` });
    await world.control('POST', `/__emulator/projects/${PROCORE.harbor}/submittals`, { title: 'Shop drawings' });
    const roundStart = world.clock.now().getTime();
    const report = await syncHarbor();
    expect(report.synced).toBeGreaterThanOrEqual(1);
    expect(await mirrored('rfi')).toHaveLength(230);
    expect(await mirrored('submittal')).toHaveLength(1);
    expect((await cursor('rfi'))?.cursor_at).toBe(new Date(roundStart - CURSOR_OVERLAP_MS).toISOString());
    expect((await cursor('submittal'))?.cursor_at).toBe(new Date(roundStart - CURSOR_OVERLAP_MS).toISOString());
    const detail = (await world.api('GET', '/api/v1/projects/P-1001', 'gadmin')).json();
    expect(detail.sync).toMatchObject({ lastSyncAt: new Date(roundStart).toISOString(), lastError: null, rfis: 230, submittals: 1 });
  });

  it('pulls only what changed since the cursor and updates a changed item in place', async () => {
    const created = await world.control('POST', `/__emulator/projects/${PROCORE.harbor}/rfis`, { subject: 'Original subject' });
    await syncHarbor();
    world.clock.advance(10 * 60_000);
    await world.control('PATCH', `/__emulator/projects/${PROCORE.harbor}/rfis/${created.id}`, { subject: 'Changed subject' });
    const before = (await world.control('GET', '/__emulator/stats')).apiRequests;
    await syncHarbor();
    const rows = await mirrored('rfi');
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.data)).toMatchObject({ subject: 'Changed subject' });
    // One page per tool and the account's /me: nothing re-listed from the start.
    expect((await world.control('GET', '/__emulator/stats')).apiRequests - before).toBe(3);
  });

  it('keeps the cursor where it was when a later page fails, and finishes the pull in the next round', async () => {
    await syncHarbor();
    const firstCursor = (await cursor('rfi'))?.cursor_at;
    world.clock.advance(10 * 60_000);
    for (let i = 0; i < 150; i++) await world.control('POST', `/__emulator/projects/${PROCORE.harbor}/rfis`, { subject: `RFI ${i}` });
    const deps = world.server.deps;
    const real = deps.procore;
    let failed = false;
    deps.procore = {
      ...real,
      listItems: async (token, companyId, projectId, tool, options) => {
        if (tool === 'rfis' && options?.page === 2 && !failed) {
          failed = true;
          throw new ProcoreError('unavailable', 'Procore failed (503) on GET /rest/v1.0/projects/x/rfis', { status: 503 });
        }
        return real.listItems(token, companyId, projectId, tool, options);
      },
    };
    const lastSyncAt = (await world.api('GET', '/api/v1/projects/P-1001', 'gadmin')).json().sync.lastSyncAt;
    const failedPass = await syncHarbor();
    expect(failedPass.failed).toBe(1);
    expect(await mirrored('rfi')).toHaveLength(100);
    expect((await cursor('rfi'))?.cursor_at).toBe(firstCursor);
    const afterFailure = (await world.api('GET', '/api/v1/projects/P-1001', 'gadmin')).json();
    // One failed round: still connected, the error shown, the last good sync kept.
    expect(afterFailure).toMatchObject({ status: 'connected', sync: { lastSyncAt, lastError: { code: 'procore_unreachable' } } });

    world.clock.advance(60_000);
    await syncHarbor();
    expect(await mirrored('rfi')).toHaveLength(150);
    expect((await cursor('rfi'))?.cursor_at).not.toBe(firstCursor);
    const healed = (await world.api('GET', '/api/v1/projects/P-1001', 'gadmin')).json();
    expect(healed.sync).toMatchObject({ lastError: null, rfis: 150 });
  });

  it('does not sync a project migrated from Trimble before one of its accounts reconnects', async () => {
    const clinic = world.projectIds['P-1003']!;
    await requestSync(world.server.deps, [clinic]);
    const before = (await world.control('GET', '/__emulator/stats')).apiRequests;
    const report = await runSyncPass(world.server.deps);
    expect(report.skipped).toBeGreaterThanOrEqual(1);
    const detail = (await world.api('GET', '/api/v1/projects/P-1003', 'gadmin')).json();
    expect(detail).toMatchObject({ status: 'connection_lost', reason: 'migrated_from_trimble', sync: { lastSyncAt: null, rfis: 0 } });
    // Harbor (mlee) synced in that pass too: 3 calls for it, none for the clinic.
    expect((await world.control('GET', '/__emulator/stats')).apiRequests - before).toBe(3);
  });
});
