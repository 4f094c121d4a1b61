// SPEC 4.4 catch-up, on SQLite and PostgreSQL: a project lost while Procore kept changing mirrors nothing meanwhile,
// and after a reconnect through the API its next round pulls exactly what changed, through the incremental window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNTS, FIRST_RFI, PROCORE, SEEDED_RFIS, SEEDED_SUBMITTALS, startSyncWorld, type SyncWorld } from './world.js';

const kinds = await availableDatabaseKinds();
const NUMBER = 'P-300';
const CAROL = encodeURIComponent(ACCOUNTS.carol.login);
const ITEMS_METRIC = 'ncs_sync_items_total{type="rfis"}';
const SUBMITTALS_METRIC = 'ncs_sync_items_total{type="submittals"}';

interface MirrorRow {
  item_type: string;
  procore_id: string;
  data: string;
}

// One story per database: each step builds on the one before, so they share a world.
describe.each(kinds)('sync catch-up after a reconnect on %s', (kind) => {
  let world: SyncWorld | undefined;
  let w: SyncWorld;
  const added: { rfis: string[]; submittal?: string } = { rfis: [] };
  let lastSyncBefore: string | null = null;

  const mirror = async (): Promise<MirrorRow[]> =>
    w.deps.db.selectFrom('mirror_items').select(['item_type', 'procore_id', 'data']).where('project_id', '=', w.projectIds[NUMBER]!).orderBy('item_type').orderBy('procore_id').execute();
  const subjectOf = (rows: MirrorRow[], id: string) => JSON.parse(rows.find((row) => row.item_type === 'rfi' && row.procore_id === id)?.data ?? '{}').subject;
  const itemsPulled = async () => (await w.metric(ITEMS_METRIC)) + (await w.metric(SUBMITTALS_METRIC));

  beforeAll(async () => {
    world = await startSyncWorld(kind);
    w = world;
    await w.connect('carol');
    await w.addProject(NUMBER, PROCORE.library, ['carol']);
  });

  afterAll(async () => {
    await world?.close();
  });

  it('mirrors every RFI and submittal of a connected project, ids above 2^32 kept as strings', async () => {
    expect((await w.syncOnce()).synced).toBe(1);
    const detail = await w.project(NUMBER);
    expect(detail.status).toBe('connected');
    const procore = w.procoreCounts(PROCORE.library);
    expect(procore).toEqual({ rfis: SEEDED_RFIS, submittals: SEEDED_SUBMITTALS });
    expect({ rfis: detail.sync.rfis, submittals: detail.sync.submittals }).toEqual(procore);
    const rows = await mirror();
    expect(rows.map((row) => row.procore_id)).toContain(FIRST_RFI.library);
    expect(subjectOf(rows, FIRST_RFI.library)).toBe('library RFI 1');
    lastSyncBefore = detail.sync.lastSyncAt;
    expect(lastSyncBefore).not.toBeNull();
  });

  it('loses the project when its account is revoked', async () => {
    await w.emulator('POST', `/__emulator/accounts/${CAROL}/revoke`);
    expect((await w.syncOnce()).lost).toBe(1);
    const detail = await w.project(NUMBER);
    expect(detail.status).toBe('connection_lost');
    expect(detail.reason).toBe('token_revoked');
  });

  it('mirrors nothing while lost, though Procore changes', async () => {
    for (const subject of ['Added while lost 1', 'Added while lost 2']) {
      added.rfis.push(String((await w.emulator('POST', `/__emulator/projects/${PROCORE.library}/rfis`, { subject })).id));
    }
    added.submittal = String((await w.emulator('POST', `/__emulator/projects/${PROCORE.library}/submittals`, { title: 'Submitted while lost' })).id);
    await w.emulator('PATCH', `/__emulator/projects/${PROCORE.library}/rfis/${FIRST_RFI.library}`, { subject: 'Changed while lost' });
    for (const id of [...added.rfis, added.submittal]) expect(BigInt(id)).toBeGreaterThan(2n ** 32n);

    const mirroredBefore = await mirror();
    const before = await w.stats();
    expect((await w.syncOnce()).lost).toBe(1);
    expect((await w.stats()).apiRequests).toBe(before.apiRequests);
    expect(await mirror()).toEqual(mirroredBefore);
    expect(subjectOf(mirroredBefore, FIRST_RFI.library)).toBe('library RFI 1');
  });

  it('catches up after a Global Admin pushes a token: the new and changed items, counts matching Procore', async () => {
    const token = await w.mint('carol');
    const pushed = await w.api('POST', `/api/v1/projects/${NUMBER}/procore-token`, { token });
    expect(pushed.statusCode, pushed.body).toBe(200);
    expect(pushed.json().restored.map((item: { number: string }) => item.number)).toEqual([NUMBER]);

    // Not forced: the intake itself made the project due.
    const pulledBefore = await itemsPulled();
    expect((await w.pass()).synced).toBe(1);
    // Only what changed since the cursor came: 2 new RFIs, the changed one and the new submittal, none of the seeded rest.
    expect((await itemsPulled()) - pulledBefore).toBe(4);

    const rows = await mirror();
    const ids = rows.map((row) => row.procore_id);
    for (const id of [...added.rfis, added.submittal!]) expect(ids).toContain(id);
    expect(subjectOf(rows, FIRST_RFI.library)).toBe('Changed while lost');
    expect(subjectOf(rows, added.rfis[0]!)).toBe('Added while lost 1');

    const detail = await w.project(NUMBER);
    expect(detail.status).toBe('connected');
    expect({ rfis: detail.sync.rfis, submittals: detail.sync.submittals }).toEqual(w.procoreCounts(PROCORE.library));
    expect(detail.sync.rfis).toBe(SEEDED_RFIS + 2);
    expect(detail.sync.submittals).toBe(SEEDED_SUBMITTALS + 1);
    expect(detail.sync.lastError).toBeNull();
    expect(Date.parse(detail.sync.lastSyncAt!)).toBeGreaterThan(Date.parse(lastSyncBefore!));
    expect((await w.stats()).refreshTokenReuse).toBe(0);
  });

  it('pulls incrementally afterwards: one /me and two listings, no new rows, only the items inside the 60-second overlap', async () => {
    const rowsBefore = await mirror();
    const pulledBefore = await itemsPulled();
    const before = await w.stats();

    expect((await w.syncOnce()).synced).toBe(1);
    expect((await w.stats()).apiRequests - before.apiRequests).toBe(3);
    expect(await mirror()).toEqual(rowsBefore);
    // The cursor is the last round's start minus 60 s: the four items changed seconds ago come again, the seeded ones do not.
    expect((await itemsPulled()) - pulledBefore).toBe(4);
  });
});
