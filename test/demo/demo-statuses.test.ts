// The demo's statuses are the verdicts of one sync round against the emulator, as SPEC 8's table says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDatabaseKinds } from '../support/databases.js';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.js';

const EXPECTED = [
  ['P-1001', 'connected', null],
  ['P-1002', 'connection_lost', 'token_revoked'],
  ['P-1003', 'connection_lost', 'migrated_from_trimble'],
  ['P-1004', 'connection_lost', 'token_expired'],
  ['P-1005', 'connection_lost', 'permission_denied'],
] as const;

describe.each(await availableDatabaseKinds())('demo data on %s', (kind) => {
  let world: DemoWorld;
  beforeAll(async () => {
    world = await startDemoWorld(kind);
  }, 60_000);
  afterAll(async () => world?.close());

  it('ends its sync round with the statuses of SPEC 8', async () => {
    const token = await world.signIn('gadmin');
    const response = await world.server.app.inject({ method: 'GET', url: '/api/v1/projects', headers: { authorization: `Bearer ${token}` } });
    const items = (response.json() as { items: { number: string; status: string; reason: string | null }[] }).items;
    expect(items.map((item) => [item.number, item.status, item.reason])).toEqual(EXPECTED);
  });

  it('shows the round in each project: the mirror filled for P-1001, and what stopped each lost one', async () => {
    const token = await world.signIn('gadmin');
    const detail = async (number: string) =>
      (await world.server.app.inject({ method: 'GET', url: `/api/v1/projects/${number}`, headers: { authorization: `Bearer ${token}` } })).json();
    const harbor = await detail('P-1001');
    expect(harbor.sync).toMatchObject({ lastSyncAt: expect.any(String), lastError: null });
    expect(harbor.sync.rfis + harbor.sync.submittals).toBeGreaterThan(0);
    for (const [number, code] of [['P-1002', 'token_revoked'], ['P-1004', 'token_expired'], ['P-1005', 'permission_denied']] as const) {
      expect((await detail(number)).sync).toMatchObject({ lastSyncAt: null, lastError: { code } });
    }
    // The imported project waits for a reconnect: the round left it alone.
    expect((await detail('P-1003')).sync).toMatchObject({ lastSyncAt: null, lastError: null });
    const metrics = (await world.server.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('ncs_sync_rounds_total{outcome="synced"} 1');
    expect(metrics).toContain('ncs_sync_rounds_total{outcome="lost"} 3');
  });

  it('stores no live Procore token in clear in the database', async () => {
    const live: string[] = [];
    for (const login of ['mlee', 'jsmith', 'rkim', 'dchan'].map((u) => `${u}@demo.example`)) {
      const response = await fetch(`${world.emulator.url}/__emulator/accounts/${encodeURIComponent(login)}/tokens`);
      for (const pair of (await response.json()) as { accessToken: string; refreshToken: string }[]) live.push(pair.accessToken, pair.refreshToken);
    }
    expect(live.length).toBeGreaterThan(0);
    const db = world.server.deps.db;
    const dump = JSON.stringify(
      await Promise.all(
        (['credentials', 'audit_log', 'account_results', 'projects', 'reconnect_attempts', 'auth_tokens'] as const).map((table) =>
          db.selectFrom(table).selectAll().execute(),
        ),
      ),
    );
    for (const token of live) expect(dump).not.toContain(token);
    expect(world.server.logs.text()).not.toContain(live[0]);
  });
});
