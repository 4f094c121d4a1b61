// SPEC 4.4 classification through real sync rounds against the emulator, on SQLite and PostgreSQL: each row breaks
// Procore one way and checks what every round concludes (status, reason, the account's result, the last error).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectStatus } from '../../../src/core/index.js';
import { FRESH_TOKEN_REFUSED_MESSAGE } from '../../../src/server/credentials/session.js';
import type { SyncPassReport } from '../../../src/server/sync/run-pass.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { ACCOUNTS, PROCORE, startSyncWorld, type SyncWorld } from './world.js';

const kinds = await availableDatabaseKinds();
const NUMBER = 'P-100';
const ALICE = encodeURIComponent(ACCOUNTS.alice.login);

type Outcome = Exclude<keyof SyncPassReport, 'busy' | 'errors'>;

interface Expected {
  /** How the project's round ended. */
  outcome: Outcome;
  status: ProjectStatus;
  reason: string | null;
  /** alice's stored result. */
  result?: string;
  /** The detail's `sync.lastError.code` (null: no error). */
  lastError?: string | null;
  message?: RegExp;
  failedRounds?: number;
  /** Emulator calls the round made. */
  apiRequests?: number;
  tokenRequests?: number;
}

interface Step {
  act?: (world: SyncWorld) => Promise<unknown>;
  /** `forced` (default): every project made due first; `when-due`: passes are polled until the project's own due time. */
  round?: 'forced' | 'when-due';
  expect: Expected;
  /** `/metrics` series after this step's round (the set-up round included). */
  metrics?: Record<string, number>;
}

interface Row {
  name: string;
  /** A transient cause: no round may ever make the project connection_lost. */
  transient: boolean;
  steps: Step[];
}

const outage = (body: Record<string, unknown>) => (world: SyncWorld) => world.emulator('PUT', '/__emulator/outage', body);
const settings = (body: Record<string, unknown>) => (world: SyncWorld) => world.emulator('PUT', '/__emulator/settings', body);
const access = (body: Record<string, unknown>) => (world: SyncWorld) => world.emulator('PUT', `/__emulator/projects/${PROCORE.harbor}/access/${ALICE}`, body);

const lost = (reason: string, extra: Partial<Expected> = {}): Expected => ({ outcome: 'lost', status: 'connection_lost', reason, result: reason, lastError: reason, ...extra });
const failedConnected = (failedRounds: number, extra: Partial<Expected> = {}): Expected => ({
  outcome: 'failed',
  status: 'connected',
  reason: null,
  result: 'ok',
  lastError: 'procore_unreachable',
  failedRounds,
  ...extra,
});
const degraded = (reason: string, extra: Partial<Expected> = {}): Expected => ({ outcome: 'failed', status: 'degraded', reason, result: 'ok', lastError: reason, ...extra });
const synced: Expected = { outcome: 'synced', status: 'connected', reason: null, result: 'ok', lastError: null, failedRounds: 0 };

/** Procore unreachable one way: connected through two failed rounds, degraded at the third, connected at the next success. */
function unreachableRow(name: string, body: Record<string, unknown>, callsPerRound: number, metrics?: Record<string, number>): Row {
  // The round stops at /me, which the client sends once and retries 3 times.
  const failed = { apiRequests: callsPerRound };
  return {
    name,
    transient: true,
    steps: [
      { act: outage({ enabled: true, ...body }), expect: failedConnected(1, failed) },
      { expect: failedConnected(2, failed) },
      { expect: degraded('procore_unreachable', { failedRounds: 3, ...failed }) },
      { act: outage({ enabled: false }), expect: { ...synced, apiRequests: 3 }, metrics },
    ],
  };
}

const rows: Row[] = [
  {
    name: 'revoked tokens (401, then invalid_grant on refresh) → connection_lost / token_revoked, then skipped without a call',
    transient: false,
    steps: [
      {
        act: (w) => w.emulator('POST', `/__emulator/accounts/${ALICE}/revoke`),
        expect: lost('token_revoked', { apiRequests: 1, tokenRequests: 1 }),
        metrics: {
          'ncs_sync_passes_total': 2,
          'ncs_sync_rounds_total{outcome="synced"}': 1,
          'ncs_sync_rounds_total{outcome="lost"}': 1,
          'ncs_sync_failures_total{reason="token_revoked"}': 1,
          'ncs_token_refreshes_total{outcome="token_revoked"}': 1,
        },
      },
      { expect: lost('token_revoked', { apiRequests: 0, tokenRequests: 0 }), metrics: { 'ncs_sync_rounds_total{outcome="lost"}': 2 } },
    ],
  },
  {
    name: 'expired tokens (invalid_grant "has expired") → connection_lost / token_expired',
    transient: false,
    steps: [{ act: (w) => w.emulator('POST', `/__emulator/accounts/${ALICE}/expire`), expect: lost('token_expired', { tokenRequests: 1 }) }],
  },
  {
    name: '401 on a token just obtained by refresh → connection_lost / token_revoked',
    transient: false,
    steps: [
      {
        act: async (w) => {
          // Due for refresh: the round refreshes first, then Procore refuses the fresh token.
          await w.deps.db.updateTable('credentials').set({ expires_at: new Date(Date.now() - 60_000).toISOString() }).execute();
          await outage({ enabled: true, status: 401, scope: 'api' })(w);
        },
        expect: lost('token_revoked', { message: new RegExp(FRESH_TOKEN_REFUSED_MESSAGE.replace(/[.()]/g, '\\$&')), tokenRequests: 1, apiRequests: 1 }),
      },
    ],
  },
  {
    name: 'project access removed (404) → connection_lost / permission_denied',
    transient: false,
    steps: [{ act: access({ allowed: false }), expect: lost('permission_denied', { message: /cannot see the Procore project/ }) }],
  },
  {
    name: 'both tools refused (403) → connection_lost / permission_denied',
    transient: false,
    steps: [{ act: access({ allowed: true, tools: { rfis: false, submittals: false } }), expect: lost('permission_denied', { message: /RFIs/ }) }],
  },
  {
    name: 'one tool refused (403 on Submittals) → permission_denied naming Submittals',
    transient: false,
    steps: [{ act: access({ allowed: true, tools: { rfis: true, submittals: false } }), expect: lost('permission_denied', { message: /Submittals tool/ }) }],
  },
  {
    name: '429 with a Retry-After longer than the interval → degraded / rate_limited at once, and no call until it passes',
    transient: true,
    steps: [
      {
        act: settings({ rateLimitPerWindow: 1, rateLimitWindowSeconds: 3600, rateLimitHeaders: 'retry-after' }),
        expect: degraded('rate_limited', { apiRequests: 2 }),
        metrics: { 'ncs_sync_rounds_total{outcome="failed"}': 1, 'ncs_sync_failures_total{reason="rate_limited"}': 1 },
      },
      { expect: degraded('rate_limited', { apiRequests: 0 }), metrics: { 'ncs_sync_rounds_total{outcome="failed"}': 2 } },
    ],
  },
  {
    name: '429 with only X-Rate-Limit-Reset → degraded / rate_limited',
    transient: true,
    steps: [{ act: settings({ rateLimitPerWindow: 1, rateLimitWindowSeconds: 3600, rateLimitHeaders: 'reset' }), expect: degraded('rate_limited', { apiRequests: 2 }) }],
  },
  {
    name: '429 with a wait shorter than the interval → round deferred, still connected, synced once the wait is over',
    transient: true,
    steps: [
      {
        act: settings({ rateLimitPerWindow: 1, rateLimitWindowSeconds: 2, rateLimitHeaders: 'both' }),
        expect: { outcome: 'deferred', status: 'connected', reason: null, result: 'ok', lastError: 'rate_limited', failedRounds: 0, apiRequests: 2 },
      },
      // Due again when Procore's wait ends, not a whole interval later.
      { act: settings({ rateLimitPerWindow: 0 }), round: 'when-due', expect: synced },
    ],
  },
  unreachableRow('outage 503 → connected after 1 and 2 failed rounds, degraded / procore_unreachable after the 3rd, connected at the next success', { status: 503 }, 4, {
    // The set-up round, 3 failed rounds and 1 success.
    'ncs_sync_passes_total': 5,
    'ncs_sync_rounds_total{outcome="synced"}': 2,
    'ncs_sync_rounds_total{outcome="failed"}': 3,
    'ncs_sync_failures_total{reason="procore_unreachable"}': 3,
  }),
  unreachableRow('outage by timeout → same as 503', { mode: 'timeout' }, 4),
  unreachableRow('outage by connection reset → same as 503', { mode: 'reset' }, 4),
  {
    name: 'a lost project (revoked) stays connection_lost / token_revoked through 4 rounds of 503 outage',
    transient: false,
    steps: [
      { act: (w) => w.emulator('POST', `/__emulator/accounts/${ALICE}/revoke`), expect: lost('token_revoked') },
      { act: outage({ enabled: true, status: 503 }), expect: lost('token_revoked', { apiRequests: 0 }) },
      { expect: lost('token_revoked') },
      { expect: lost('token_revoked') },
      { expect: lost('token_revoked', { failedRounds: 0 }) },
    ],
  },
];

function outcomeOf(report: SyncPassReport): string {
  const ran = (Object.keys(report) as (keyof SyncPassReport)[]).filter((key) => report[key] > 0);
  return ran.join('+') || 'nothing';
}

/** Polls passes (without forcing) until the project's round has run. */
async function passWhenDue(world: SyncWorld, deadlineMs = 10_000): Promise<SyncPassReport> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const report = await world.pass();
    if (outcomeOf(report) !== 'nothing') return report;
    if (Date.now() > deadline) throw new Error('the project never became due');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(kinds)('sync classification on %s', (kind) => {
  let world: SyncWorld | undefined;

  beforeEach(async () => {
    world = await startSyncWorld(kind);
    await world.connect('alice');
    await world.addProject(NUMBER, PROCORE.harbor, ['alice']);
    const first = await world.syncOnce();
    expect(first.synced).toBe(1);
    expect((await world.project(NUMBER)).status).toBe('connected');
  });

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it.each(rows)('$name', async (row) => {
    const w = world!;
    for (const [index, step] of row.steps.entries()) {
      const label = `step ${index + 1}`;
      await step.act?.(w);
      const before = await w.stats();
      const report = step.round === 'when-due' ? await passWhenDue(w) : await w.syncOnce();
      const after = await w.stats();
      const detail = await w.project(NUMBER);
      const expected = step.expect;

      expect(outcomeOf(report), label).toBe(expected.outcome);
      expect({ status: detail.status, reason: detail.reason }, label).toEqual({ status: expected.status, reason: expected.reason });
      if (row.transient) expect(detail.status, `${label}: a transient failure never loses the project`).not.toBe('connection_lost');
      if (expected.result !== undefined) expect((await w.result(NUMBER, 'alice'))?.result, label).toBe(expected.result);
      if (expected.lastError !== undefined) expect(detail.sync.lastError?.code ?? null, label).toBe(expected.lastError);
      if (expected.message) expect(detail.sync.lastError?.message, label).toMatch(expected.message);
      if (expected.failedRounds !== undefined) expect(await w.failedRounds(NUMBER), label).toBe(expected.failedRounds);
      if (expected.apiRequests !== undefined) expect(after.apiRequests - before.apiRequests, `${label}: API calls`).toBe(expected.apiRequests);
      if (expected.tokenRequests !== undefined) expect(after.tokenRequests - before.tokenRequests, `${label}: token calls`).toBe(expected.tokenRequests);
      if (expected.status === 'connection_lost') {
        expect(detail.accounts).toEqual([{ login: ACCOUNTS.alice.login, procoreUserId: ACCOUNTS.alice.id, reason: expected.reason }]);
      }
      for (const [series, value] of Object.entries(step.metrics ?? {})) expect(await w.metric(series), `${label}: ${series}`).toBe(value);
    }
    expect((await w.stats()).refreshTokenReuse).toBe(0);
  });
});
