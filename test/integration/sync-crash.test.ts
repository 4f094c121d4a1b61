// `ncs-server start` killed with SIGKILL mid-refresh or mid-round (SPEC 4.4): no lease outlives its expiry, no
// credential is half-stored, a credential caught mid-refresh is tried once, and a new process finishes the work.
import { describe, it, type ExpectStatic } from 'vitest';
import { openTokens } from '../../src/server/credentials/store.js';
import { REFRESH_LEASE_TTL_MS, refreshLeaseName } from '../../src/server/credentials/refresh.js';
import { SYNC_LEASE_TTL_MS } from '../../src/server/sync/run-pass.js';
import {
  buildLayout,
  killHard,
  pollUntil,
  startHoldingProxy,
  startSyncWorld,
  type SyncLayout,
  type SyncWorld,
} from './support/sync-processes.js';

/** The lease of a dead holder lasts this long at most; a new process waits it out. */
const WAIT_FOR_DEAD_HOLDER_MS = 120_000;

type Leases = Awaited<ReturnType<SyncWorld['leases']>>;

function expectNoLeasePastItsTtl(expect: ExpectStatic, leases: Leases, killedAt: number): void {
  expect(leases.length).toBeGreaterThan(0);
  for (const lease of leases) {
    const ttl = lease.name.startsWith('refresh:') ? REFRESH_LEASE_TTL_MS : SYNC_LEASE_TTL_MS;
    expect(Date.parse(lease.expires_at), `${lease.name} expires at ${lease.expires_at}`).toBeLessThanOrEqual(killedAt + ttl);
  }
}

async function projectRows(world: SyncWorld) {
  return world.db
    .selectFrom('projects')
    .select(['id', 'number', 'procore_project_id', 'status', 'reason', 'last_sync_at', 'last_error_message'])
    .orderBy('number')
    .execute();
}

async function allSynced(world: SyncWorld): Promise<boolean> {
  const rows = await projectRows(world);
  return rows.every((row) => row.status === 'connected' && row.last_sync_at !== null);
}

async function mirrorCounts(world: SyncWorld): Promise<Record<string, number>> {
  const rows = await world.db
    .selectFrom('mirror_items')
    .innerJoin('projects', 'projects.id', 'mirror_items.project_id')
    .select(['projects.number', 'mirror_items.item_type', (eb) => eb.fn.countAll<string | number>().as('n')])
    .groupBy(['projects.number', 'mirror_items.item_type'])
    .execute();
  return Object.fromEntries(rows.map((row) => [`${row.number} ${row.item_type}`, Number(row.n)]));
}

function expectedCounts(layout: SyncLayout, extra: Record<string, number> = {}): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const project of layout.projects) {
    if (project.rfis) counts[`${project.number} rfi`] = project.rfis + (extra[`${project.number} rfi`] ?? 0);
    if (project.submittals) counts[`${project.number} submittal`] = project.submittals;
  }
  return counts;
}

/**
 * Starts a server while the token endpoint hangs, waits until it has recorded refresh_started_at under the account's
 * refresh lease and the grant has reached Procore (which holds it unanswered), and kills it. The refresh was due: the pair was minted with 2-second tokens.
 */
async function killMidRefresh(world: SyncWorld) {
  const account = world.layout.accounts[0]!;
  const before = await world.credentialOf(account);
  await world.emulator.call('PUT', '/__emulator/outage', { enabled: true, mode: 'timeout', scope: 'token' });
  const server = await world.startServer();
  await pollUntil(
    'a refresh under way (refresh_started_at set, refresh lease held, the grant arrived at Procore)',
    async () =>
      (await world.credentialOf(account)).refresh_started_at !== null &&
      (await world.leases()).some((l) => l.name === refreshLeaseName(account.id)) &&
      (await world.emulator.stats()).tokenRequests === 1,
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  const killedAt = await killHard(server.run);
  await world.emulator.call('PUT', '/__emulator/outage', { enabled: false });
  return { account, before, killedAt, after: await world.credentialOf(account), leases: await world.leases() };
}

type CaughtMidRefresh = Awaited<ReturnType<typeof killMidRefresh>>;

function expectWholeCredentialAndNoStuckLease(expect: ExpectStatic, world: SyncWorld, caught: CaughtMidRefresh): void {
  const { before, after } = caught;
  expect(after.refresh_started_at).not.toBeNull();
  expect({ version: after.version, expires_at: after.expires_at, issued_at: after.issued_at, dead_reason: after.dead_reason }).toEqual({
    version: before.version,
    expires_at: before.expires_at,
    issued_at: before.issued_at,
    dead_reason: null,
  });
  // Both tokens still open with the vault, and they are the pair stored before the refresh.
  expect(openTokens(world.vault, after)).toEqual(openTokens(world.vault, before));
  expectNoLeasePastItsTtl(expect, caught.leases, caught.killedAt);
  expect(caught.leases.map((l) => l.name)).toContain(refreshLeaseName(caught.account.id));
}

function refreshLeaseExpiry(caught: CaughtMidRefresh): number {
  return Date.parse(caught.leases.find((l) => l.name === refreshLeaseName(caught.account.id))!.expires_at);
}

// Each test has its own database, emulator and processes; they run at once since each mostly waits out a lease.
describe.concurrent('an ncs-server process killed with SIGKILL', { timeout: 150_000 }, () => {
  it('mid-refresh, the grant held by Procore before any rotation: the credential is whole, and a new process refreshes it once after the lease expired', async ({ expect, onTestFinished }) => {
    const world = await startSyncWorld({ layout: buildLayout({ accounts: 1, projects: 2, rfis: 2, submittals: 1 }), mintTtlSeconds: 2, laterTokenTtlSeconds: 5400 });
    onTestFinished(() => world.close());
    const caught = await killMidRefresh(world);
    expectWholeCredentialAndNoStuckLease(expect, world, caught);

    await world.startServer();
    const refreshed = await pollUntil(
      'the credential caught mid-refresh refreshed and every project synced',
      async () => {
        const row = await world.credentialOf(caught.account);
        return row.version === caught.before.version + 1 && (await allSynced(world)) && row;
      },
      { timeoutMs: WAIT_FOR_DEAD_HOLDER_MS, intervalMs: 250 },
    );
    expect(refreshed.refresh_started_at).toBeNull();
    expect(refreshed.dead_reason).toBeNull();
    // Not before the dead holder's lease ran out.
    expect(Date.parse(refreshed.updated_at)).toBeGreaterThanOrEqual(refreshLeaseExpiry(caught));
    // The hung grant and the one retry; the refresh token it sent again had never been rotated.
    expect(await world.emulator.stats()).toMatchObject({ refreshTokenReuse: 0, tokenRequests: 2 });
    const live = await world.emulator.call<{ accessToken: string; refreshToken: string }[]>('GET', `/__emulator/accounts/${encodeURIComponent(caught.account.login)}/tokens`);
    expect(live).toEqual([expect.objectContaining(openTokens(world.vault, refreshed))]);
    expect(await mirrorCounts(world)).toEqual(expectedCounts(world.layout));
  });

  it('mid-refresh, the rotation reached Procore but its answer was lost: a new process tries once and marks the account token_revoked ("refresh interrupted")', async ({ expect, onTestFinished }) => {
    const world = await startSyncWorld({ layout: buildLayout({ accounts: 1, projects: 2, rfis: 2, submittals: 1 }), mintTtlSeconds: 2, laterTokenTtlSeconds: 5400 });
    onTestFinished(() => world.close());
    const caught = await killMidRefresh(world);
    expectWholeCredentialAndNoStuckLease(expect, world, caught);

    // What a lost answer leaves behind: Procore rotated the pair the database still holds.
    const rotated = await fetch(`${world.emulator.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: openTokens(world.vault, caught.after).refreshToken,
        client_id: world.app.clientId,
        client_secret: world.app.clientSecret,
        redirect_uri: caught.after.redirect_uri,
      }),
    });
    expect(rotated.status).toBe(200);

    const server = await world.startServer();
    const dead = await pollUntil(
      'the credential caught mid-refresh marked dead and the verdict recorded on its projects',
      async () => {
        const row = await world.credentialOf(caught.account);
        // Projects start lost (their accounts `unknown`, never synced): wait for the rounds' verdict.
        const projects = await projectRows(world);
        return row.dead_reason !== null && projects.every((p) => p.reason !== 'unknown') && row;
      },
      { timeoutMs: WAIT_FOR_DEAD_HOLDER_MS, intervalMs: 250 },
    );
    expect(dead.dead_reason).toBe('token_revoked');
    expect(dead.refresh_started_at).toBeNull();
    expect(Date.parse(dead.updated_at)).toBeGreaterThanOrEqual(refreshLeaseExpiry(caught));
    for (const project of await projectRows(world)) {
      expect({ number: project.number, status: project.status, reason: project.reason }).toEqual({ number: project.number, status: 'connection_lost', reason: 'token_revoked' });
    }
    const results = await world.db.selectFrom('account_results').select(['result', 'message']).execute();
    expect(results.map((r) => r.result)).toEqual(['token_revoked', 'token_revoked']);
    expect(results.map((r) => r.message)).toContain('refresh interrupted');

    // Tried once: a later pass sends nothing more for the dead credential.
    const passes = await server.metric('ncs_sync_passes_total');
    await pollUntil('two more sync passes', async () => (await server.metric('ncs_sync_passes_total')) >= passes + 2, { timeoutMs: 20_000 });
    // The hung grant, our rotation, and the one try, which the emulator counts as the reuse it is, by design.
    expect(await world.emulator.stats()).toMatchObject({ refreshTokenReuse: 1, tokenRequests: 3 });
  });

  it('mid-round, with a page of RFIs stored and the next one hanging: leases expire, and a new process syncs every project with a complete mirror', async ({ expect, onTestFinished }) => {
    const layout = buildLayout({ accounts: 4, projects: 12, rfis: 150, submittals: 3 });
    const world = await startSyncWorld({ layout, mintTtlSeconds: 5400 });
    onTestFinished(() => world.close());
    // Procore hangs on the second page of every RFI listing: each round claimed stops after storing the first.
    const proxy = await startHoldingProxy(world.emulator.url, (request) => {
      const url = new URL(request.url ?? '/', 'http://proxy.invalid');
      return url.pathname.endsWith('/rfis') && url.searchParams.get('page') === '2';
    });
    onTestFinished(() => proxy.close());
    const first = await world.startServer({ apiUrl: proxy.url });
    // The scheduler runs 4 rounds at once: 4 claimed projects, each hanging on its second page.
    await pollUntil('4 rounds hanging on a second page of RFIs', async () => proxy.held() >= 4 && (await world.leases()).filter((l) => l.name.startsWith('sync:')).length >= 4, {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const killedAt = await killHard(first.run);

    const leases = await world.leases();
    expectNoLeasePastItsTtl(expect, leases, killedAt);
    const claimed = new Map(leases.filter((l) => l.name.startsWith('sync:')).map((l) => [l.name.slice('sync:'.length), Date.parse(l.expires_at)]));
    expect(claimed.size).toBe(4);
    const before = await projectRows(world);
    const claimedProjects = before.filter((p) => claimed.has(p.id));
    // The half-pulled listing is stored page by page, but its cursor did not move: the next round pulls it again.
    const cursors = await world.db.selectFrom('sync_cursors').select(['project_id', 'item_type']).execute();
    expect(cursors.filter((c) => claimed.has(c.project_id) && c.item_type === 'rfi')).toEqual([]);
    const counts = await mirrorCounts(world);
    for (const project of claimedProjects) {
      expect(counts[`${project.number} rfi`], project.number).toBe(100);
      expect(project.last_sync_at).toBeNull();
    }

    // Procore changes while nobody syncs: a new RFI on one claimed project, a stored RFI edited on another.
    const [added, edited] = claimedProjects;
    await world.emulator.call('POST', `/__emulator/projects/${added!.procore_project_id}/rfis`, { subject: 'Added while the server was down' });
    const storedRfi = await world.db
      .selectFrom('mirror_items')
      .select('procore_id')
      .where('project_id', '=', edited!.id)
      .where('item_type', '=', 'rfi')
      .orderBy('procore_id')
      .executeTakeFirstOrThrow();
    await world.emulator.call('PATCH', `/__emulator/projects/${edited!.procore_project_id}/rfis/${storedRfi.procore_id}`, { subject: 'Edited while the server was down' });

    await proxy.close();
    await world.startServer();
    await pollUntil('every project synced by the new process', () => allSynced(world), { timeoutMs: WAIT_FOR_DEAD_HOLDER_MS, intervalMs: 250 });

    for (const project of await projectRows(world)) {
      if (!claimed.has(project.id)) continue;
      // The dead holder's claim was honoured until it expired.
      expect(Date.parse(project.last_sync_at!), project.number).toBeGreaterThanOrEqual(claimed.get(project.id)!);
    }
    expect(await mirrorCounts(world)).toEqual(expectedCounts(layout, { [`${added!.number} rfi`]: 1 }));
    const editedRow = await world.db
      .selectFrom('mirror_items')
      .select('data')
      .where('project_id', '=', edited!.id)
      .where('item_type', '=', 'rfi')
      .where('procore_id', '=', storedRfi.procore_id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(editedRow.data)).toMatchObject({ subject: 'Edited while the server was down' });
    expect((await world.emulator.stats()).refreshTokenReuse).toBe(0);
  });
});
