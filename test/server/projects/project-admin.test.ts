import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectExistsError, ProjectInputError, ProjectNotFoundError } from '../../../src/server/projects/errors.js';
import { addProject, setBallInCourt } from '../../../src/server/projects/project-admin.js';
import { writeAccountResults } from '../../../src/server/projects/project-state.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { countRows, insertCredential } from './support.js';

const kinds = await availableDatabaseKinds();
const now = new Date('2030-01-01T00:00:00.000Z');
const base = { number: 'P-1001', name: 'Harbor Tower', companyId: '4294967297', projectId: '562949953421312' };

describe.each(kinds)('project administration on %s', (kind) => {
  let testDb: TestDatabase;
  beforeEach(async () => {
    testDb = await openTestDatabase(kind);
  });
  afterEach(async () => testDb.close());

  async function results(projectId: string) {
    const rows = await testDb.db.selectFrom('account_results').select(['login_key', 'result']).where('project_id', '=', projectId).orderBy('login_key').execute();
    return Object.fromEntries(rows.map((r) => [r.login_key, r.result]));
  }

  it('adds a project with an NCS id, ids kept exact as strings and the BIC order as given', async () => {
    const item = await addProject(
      testDb.db,
      { ...base, companyId: 4294967297, ballInCourt: [{ username: 'jsmith', procoreLogin: 'JSmith@demo.example' }, { username: 'mlee', procoreLogin: 'mlee@demo.example' }] },
      now,
    );
    expect(item.id).toMatch(/^prj_[a-z2-7]{20}$/);
    expect(item.procore).toEqual({ companyId: '4294967297', projectId: '562949953421312' });
    expect(item.ballInCourt.map((b) => b.procoreLogin)).toEqual(['JSmith@demo.example', 'mlee@demo.example']);
    const row = await testDb.db.selectFrom('projects').select(['origin', 'status', 'reason']).where('id', '=', item.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ origin: 'ncs', status: 'connection_lost', reason: 'no_credential' });
  });

  it('starts accounts without a credential as no_credential, with a live credential as unknown, with a dead one as its reason', async () => {
    await insertCredential(testDb.db, { procoreUserId: '11', login: 'live@demo.example' });
    await insertCredential(testDb.db, { procoreUserId: '12', login: 'dead@demo.example', deadReason: 'token_revoked' });
    const item = await addProject(
      testDb.db,
      {
        ...base,
        ballInCourt: [
          { username: 'a', procoreLogin: 'dead@demo.example' },
          { username: 'b', procoreLogin: 'Live@demo.example' },
          { username: 'c', procoreLogin: 'none@demo.example' },
        ],
      },
      now,
    );
    expect(await results(item.id)).toEqual({ 'dead@demo.example': 'token_revoked', 'live@demo.example': 'unknown', 'none@demo.example': 'no_credential' });
    expect(item.reason).toBe('token_revoked');
  });

  it('inherits the Procore user id already recorded for the same login on another project', async () => {
    const first = await addProject(testDb.db, { ...base, ballInCourt: [{ username: 'a', procoreLogin: 'a@demo.example' }] }, now);
    await testDb.db.updateTable('bic_assignments').set({ procore_user_id: '4294967300' }).where('project_id', '=', first.id).execute();
    const second = await addProject(testDb.db, { ...base, number: 'P-1002', ballInCourt: [{ username: 'a', procoreLogin: 'A@demo.example' }] }, now);
    expect(second.ballInCourt[0]!.procoreUserId).toBe('4294967300');
  });

  it('refuses a project number that exists, ignoring case', async () => {
    await addProject(testDb.db, { ...base, ballInCourt: [{ username: 'a', procoreLogin: 'a@demo.example' }] }, now);
    await expect(addProject(testDb.db, { ...base, number: 'p-1001', ballInCourt: [{ username: 'a', procoreLogin: 'a@demo.example' }] }, now)).rejects.toBeInstanceOf(ProjectExistsError);
    expect(await countRows(testDb.db, 'projects')).toBe(1);
  });

  it.each([
    ['a number with a space', { number: 'P 1' }],
    ['a number longer than 32 characters', { number: `P${'1'.repeat(32)}` }],
    ['a number starting with a dash', { number: '-P1' }],
    ['an empty name', { name: '  ' }],
    ['a company id that is not decimal', { companyId: '12a' }],
    ['a project id of 2^53', { projectId: '9007199254740992' }],
    ['a login that is not an email', { ballInCourt: [{ username: 'a', procoreLogin: 'not-an-email' }] }],
    ['a username with a domain', { ballInCourt: [{ username: 'DEMO\\a', procoreLogin: 'a@demo.example' }] }],
    ['the same login twice', { ballInCourt: [{ username: 'a', procoreLogin: 'a@demo.example' }, { username: 'b', procoreLogin: 'A@demo.example' }] }],
    ['no ball-in-court user', { ballInCourt: [] }],
  ])('refuses %s and stores nothing', async (_rule, change) => {
    const input = { ...base, ballInCourt: [{ username: 'a', procoreLogin: 'a@demo.example' }], ...change };
    await expect(addProject(testDb.db, input, now)).rejects.toBeInstanceOf(ProjectInputError);
    expect(await countRows(testDb.db, 'projects')).toBe(0);
    expect(await countRows(testDb.db, 'bic_assignments')).toBe(0);
  });

  it('set-bic keeps the results and ids of accounts that stay, drops the others and starts new ones by credential', async () => {
    const item = await addProject(
      testDb.db,
      { ...base, ballInCourt: [{ username: 'a', procoreLogin: 'a@demo.example' }, { username: 'b', procoreLogin: 'b@demo.example' }] },
      now,
    );
    await testDb.db.updateTable('bic_assignments').set({ procore_user_id: '22' }).where('login_key', '=', 'b@demo.example').execute();
    await writeAccountResults(testDb.db, item.id, [{ loginKey: 'a@demo.example', result: 'ok' }, { loginKey: 'b@demo.example', result: 'token_revoked' }], now);
    await insertCredential(testDb.db, { procoreUserId: '33', login: 'd@demo.example' });

    const after = await setBallInCourt(
      testDb.db,
      'p-1001',
      [{ username: 'b', procoreLogin: 'B@demo.example' }, { username: 'c', procoreLogin: 'c@demo.example' }, { username: 'd', procoreLogin: 'd@demo.example' }],
      now,
    );
    expect(await results(item.id)).toEqual({ 'b@demo.example': 'token_revoked', 'c@demo.example': 'no_credential', 'd@demo.example': 'unknown' });
    expect(after.ballInCourt.map((b) => [b.username, b.procoreUserId])).toEqual([['b', '22'], ['c', null], ['d', null]]);
    expect([after.status, after.reason]).toEqual(['connection_lost', 'token_revoked']);
  });

  it('set-bic on an unknown project is ProjectNotFoundError and a bad list changes nothing', async () => {
    await expect(setBallInCourt(testDb.db, 'P-9', [{ username: 'a', procoreLogin: 'a@demo.example' }], now)).rejects.toBeInstanceOf(ProjectNotFoundError);
    const item = await addProject(testDb.db, { ...base, ballInCourt: [{ username: 'a', procoreLogin: 'a@demo.example' }] }, now);
    await expect(setBallInCourt(testDb.db, 'P-1001', [{ username: 'b', procoreLogin: 'nope' }], now)).rejects.toBeInstanceOf(ProjectInputError);
    const logins = await testDb.db.selectFrom('bic_assignments').select('procore_login').where('project_id', '=', item.id).execute();
    expect(logins).toEqual([{ procore_login: 'a@demo.example' }]);
  });
});
