import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountResult, ProjectItem } from '../../../src/core/index.js';
import { addProject } from '../../../src/server/projects/project-admin.js';
import {
  loadProjectDetail,
  loadProjectItems,
  recomputeProject,
  recomputeProjectsForBicUser,
  writeAccountResults,
} from '../../../src/server/projects/project-state.js';
import { recordProcoreUserId } from '../../../src/server/projects/account-matching.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { createViewer, insertCredential } from './support.js';

const kinds = await availableDatabaseKinds();
const A = 'alice@example.com';
const B = 'bob@example.com';
const t0 = new Date('2030-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe.each(kinds)('project state on %s', (kind) => {
  let testDb: TestDatabase;
  beforeEach(async () => {
    testDb = await openTestDatabase(kind);
  });
  afterEach(async () => testDb.close());

  async function project(logins: string[] = [A, B], number = 'P-1'): Promise<string> {
    const item = await addProject(
      testDb.db,
      { number, name: 'Harbor Tower', companyId: '4294967297', projectId: '4294967298', ballInCourt: logins.map((l) => ({ username: l.split('@')[0]!, procoreLogin: l })) },
      t0,
    );
    return item.id;
  }

  async function stored(id: string) {
    return testDb.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  async function setTransient(id: string, reason: string | null, when = t0) {
    await testDb.db.updateTable('projects').set({ transient_reason: reason }).where('id', '=', id).execute();
    await recomputeProject(testDb.db, id, when);
  }

  type Case = {
    rule: string;
    results: (AccountResult | null)[];
    transient?: 'procore_unreachable' | 'rate_limited';
    credentials?: ('login' | 'id' | null)[];
    status: string;
    reason: string | null;
    accounts: [string, string][];
    warnings: [string, string][];
  };
  const cases: Case[] = [
    { rule: 'one ok account is connected', results: ['ok', 'ok'], status: 'connected', reason: null, accounts: [], warnings: [] },
    { rule: 'a single broken account is lost with its result as reason', results: ['token_revoked'], status: 'connection_lost', reason: 'token_revoked', accounts: [[A, 'token_revoked']], warnings: [] },
    { rule: 'a broken first account with an ok failover is connected and warns about the first', results: ['token_revoked', 'ok'], status: 'connected', reason: null, accounts: [[A, 'token_revoked']], warnings: [[A, 'token_revoked']] },
    { rule: 'a broken failover account on a connected project is listed and warned about', results: ['ok', 'token_expired'], status: 'connected', reason: null, accounts: [[B, 'token_expired']], warnings: [[B, 'token_expired']] },
    { rule: 'an unchecked failover account is listed as unknown', results: ['ok', 'unknown'], status: 'connected', reason: null, accounts: [[B, 'unknown']], warnings: [[B, 'unknown']] },
    { rule: 'procore unreachable degrades a connected project', results: ['ok', 'ok'], transient: 'procore_unreachable', status: 'degraded', reason: 'procore_unreachable', accounts: [], warnings: [] },
    { rule: 'rate limiting degrades a connected project', results: ['ok'], transient: 'rate_limited', status: 'degraded', reason: 'rate_limited', accounts: [], warnings: [] },
    { rule: 'a degraded project still warns about a broken failover', results: ['ok', 'permission_denied'], transient: 'rate_limited', status: 'degraded', reason: 'rate_limited', accounts: [[B, 'permission_denied']], warnings: [[B, 'permission_denied']] },
    { rule: 'a transient failure on a lost project keeps it lost', results: ['token_expired'], transient: 'procore_unreachable', status: 'connection_lost', reason: 'token_expired', accounts: [[A, 'token_expired']], warnings: [] },
    { rule: 'a lost project takes the first account\'s result and warns about the others', results: ['permission_denied', 'account_mismatch'], status: 'connection_lost', reason: 'permission_denied', accounts: [[A, 'permission_denied'], [B, 'account_mismatch']], warnings: [[B, 'account_mismatch']] },
    { rule: 'a migrated project is lost as migrated_from_trimble', results: ['migrated_from_trimble'], status: 'connection_lost', reason: 'migrated_from_trimble', accounts: [[A, 'migrated_from_trimble']], warnings: [] },
    { rule: 'a missing result without a credential counts as no_credential', results: [null], status: 'connection_lost', reason: 'no_credential', accounts: [[A, 'no_credential']], warnings: [] },
    { rule: 'a missing result with a credential found by login counts as unknown', results: [null], credentials: ['login'], status: 'connection_lost', reason: 'unknown', accounts: [[A, 'unknown']], warnings: [] },
    { rule: 'a missing result with a credential found by Procore user id counts as unknown', results: [null], credentials: ['id'], status: 'connection_lost', reason: 'unknown', accounts: [[A, 'unknown']], warnings: [] },
  ];

  it.each(cases)('$rule', async (c) => {
    const logins = [A, B].slice(0, c.results.length);
    const id = await project(logins);
    await testDb.db.deleteFrom('account_results').execute();
    for (const [i, mode] of (c.credentials ?? []).entries()) {
      if (mode === 'id') {
        await testDb.db.updateTable('bic_assignments').set({ procore_user_id: `90000000000${i}` }).where('login_key', '=', logins[i]!).execute();
        await insertCredential(testDb.db, { procoreUserId: `90000000000${i}`, login: 'renamed@example.com' });
      } else if (mode === 'login') {
        await insertCredential(testDb.db, { procoreUserId: `90000000000${i}`, login: logins[i]!.toUpperCase() });
      }
    }
    const updates = c.results.flatMap((result, i) => (result ? [{ loginKey: logins[i]!, result }] : []));
    await writeAccountResults(testDb.db, id, updates, t0);
    await setTransient(id, c.transient ?? null);

    const row = await stored(id);
    const item = JSON.parse(row.item_json) as ProjectItem;
    expect([row.status, row.reason]).toEqual([c.status, c.reason]);
    expect([item.status, item.reason]).toEqual([c.status, c.reason]);
    expect(item.accounts.map((a) => [a.login, a.reason])).toEqual(c.accounts);
    const detail = await loadProjectDetail(testDb.db, id);
    expect(detail.warnings.map((w) => [w.account, w.code])).toEqual(c.warnings);
  });

  it('moves since only when the status changes, not when only the reason does', async () => {
    const id = await project([A]);
    expect((await stored(id)).since).toBe(t0.toISOString());
    await writeAccountResults(testDb.db, id, [{ loginKey: A, result: 'token_revoked' }], at(1));
    expect((await stored(id)).since).toBe(t0.toISOString());
    await writeAccountResults(testDb.db, id, [{ loginKey: A, result: 'ok' }], at(2));
    expect((await stored(id)).since).toBe(at(2).toISOString());
    await writeAccountResults(testDb.db, id, [{ loginKey: A, result: 'ok' }], at(3));
    expect((await stored(id)).since).toBe(at(2).toISOString());
    await setTransient(id, 'procore_unreachable', at(4));
    expect((await stored(id)).since).toBe(at(4).toISOString());
    await setTransient(id, 'rate_limited', at(5));
    expect((await stored(id)).since).toBe(at(4).toISOString());
  });

  it('keeps the stored item equal to the item fields the detail derives from the live tables', async () => {
    const id = await project([A, B]);
    await createViewer(testDb.db, { username: 'alice', displayName: 'Alice Liddell' });
    await writeAccountResults(testDb.db, id, [{ loginKey: A, result: 'token_expired' }, { loginKey: B, result: 'ok' }], at(1));
    await testDb.db.updateTable('projects').set({ last_sync_at: at(2).toISOString() }).where('id', '=', id).execute();
    await recomputeProject(testDb.db, id, at(2));
    const [item] = await loadProjectItems(testDb.db, [id]);
    const detail = await loadProjectDetail(testDb.db, id);
    const { summary, description, remedy, since, warnings, sync, ...itemFields } = detail;
    expect(itemFields).toEqual(item);
    expect(item!.ballInCourt[0]!.displayName).toBe('Alice Liddell');
    expect(item!.lastSyncAt).toBe(at(2).toISOString());
    expect(Object.keys(item!)).toEqual(['id', 'number', 'name', 'status', 'reason', 'accounts', 'ballInCourt', 'procore', 'lastSyncAt']);
    expect(item!.procore).toEqual({ companyId: '4294967297', projectId: '4294967298' });
    expect([summary, description, remedy.length, since, warnings.length, sync.rfis]).toEqual([
      expect.stringContaining('Connected'), expect.stringContaining(A), 1, at(1).toISOString(), 1, 0,
    ]);
  });

  it('names the account that must sign in again in the remedy of a lost project', async () => {
    const id = await project([A, B]);
    await writeAccountResults(testDb.db, id, [{ loginKey: A, result: 'token_revoked' }, { loginKey: B, result: 'no_credential' }], at(1));
    const detail = await loadProjectDetail(testDb.db, id);
    expect(detail.summary).toBe('The Procore token of the ball-in-court account was invalidated');
    expect(detail.description).toContain(A);
    expect(detail.remedy).toContain(`Sign in to Procore as ${A}.`);
    expect(detail.remedy.join(' ')).toContain(B);
  });

  it('explains nothing for a connected project without warnings', async () => {
    const id = await project([A]);
    await writeAccountResults(testDb.db, id, [{ loginKey: A, result: 'ok' }], at(1));
    const detail = await loadProjectDetail(testDb.db, id);
    expect([detail.summary, detail.description, detail.remedy, detail.warnings]).toEqual([null, null, [], []]);
  });

  it('counts mirrored RFIs and submittals and reports the last sync error', async () => {
    const id = await project([A]);
    const items = [['rfi', '1'], ['rfi', '2'], ['submittal', '3']] as const;
    for (const [type, procoreId] of items) {
      await testDb.db.insertInto('mirror_items').values({ project_id: id, item_type: type, procore_id: procoreId, procore_updated_at: t0.toISOString(), data: '{}' }).execute();
    }
    await testDb.db.updateTable('projects').set({ last_error_code: 'procore_unreachable', last_error_message: 'timeout', last_error_at: t0.toISOString() }).execute();
    const detail = await loadProjectDetail(testDb.db, id);
    expect(detail.sync).toEqual({ lastSyncAt: null, lastError: { code: 'procore_unreachable', message: 'timeout', at: t0.toISOString() }, rfis: 2, submittals: 1 });
  });

  it('shows a ball-in-court user\'s new display name after recomputeProjectsForBicUser', async () => {
    const first = await project([A], 'P-1');
    const second = await project([A], 'P-2');
    await createViewer(testDb.db, { username: 'Alice', displayName: 'Alice' });
    await testDb.db.updateTable('users').set({ display_name: 'Alice Liddell' }).where('username_key', '=', 'alice').execute();
    await recomputeProjectsForBicUser(testDb.db, 'ALICE', at(1));
    const items = await loadProjectItems(testDb.db, [second, first]);
    expect(items.map((i) => [i.number, i.ballInCourt[0]!.displayName])).toEqual([['P-1', 'Alice Liddell'], ['P-2', 'Alice Liddell']]);
  });

  it('records a Procore user id on every assignment with that login, whatever its case, and keeps differing ids', async () => {
    const first = await project([A], 'P-1');
    const second = await project([A.toUpperCase(), B], 'P-2');
    const third = await project([A], 'P-3');
    await testDb.db.updateTable('bic_assignments').set({ procore_user_id: '111' }).where('project_id', '=', third).execute();
    await recomputeProject(testDb.db, third, t0);
    const changed = await recordProcoreUserId(testDb.db, 'Alice@Example.com', '4294967299', at(1));
    expect(changed.sort()).toEqual([first, second].sort());
    const items = await loadProjectItems(testDb.db, [first, second, third]);
    expect(items.map((i) => i.ballInCourt[0]!.procoreUserId)).toEqual(['4294967299', '4294967299', '111']);
    expect(items[1]!.ballInCourt[1]!.procoreUserId).toBeNull();
  });

  it('writes results and the derived status in the caller\'s transaction, so a rollback undoes both', async () => {
    const id = await project([A]);
    await expect(
      testDb.db.transaction().execute(async (trx) => {
        await writeAccountResults(trx, id, [{ loginKey: A, result: 'ok' }], at(1));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const row = await stored(id);
    expect(row.status).toBe('connection_lost');
    const result = await testDb.db.selectFrom('account_results').select('result').where('project_id', '=', id).executeTakeFirstOrThrow();
    expect(result.result).toBe('no_credential');
  });
});
