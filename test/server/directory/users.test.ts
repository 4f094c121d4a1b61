import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectItem } from '../../../src/core/index.js';
import type { ServerDeps } from '../../../src/server/deps.js';
import {
  createApiToken,
  createSession,
  createUser,
  grantProjectAdmin,
  listUsers,
  removeUser,
  renameUser,
  resolveProjectNumbers,
  revokeProjectAdmin,
  setGlobalAdmin,
  setPassword,
  verifyPassword,
} from '../../../src/server/directory/index.js';
import { authenticateBearer } from '../../../src/server/http/authenticate.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { PASSWORD, seedProject, seedUser } from './helpers.js';

const kinds = await availableDatabaseKinds();

describe.each(kinds)('directory users on %s', (kind) => {
  let testDb: TestDatabase;
  afterEach(async () => testDb?.close());
  const now = new Date('2025-03-01T09:00:00.000Z');

  async function bicDisplayName(number: string): Promise<string | null | undefined> {
    const row = await testDb.db.selectFrom('projects').select('item_json').where('number', '=', number).executeTakeFirstOrThrow();
    return (JSON.parse(row.item_json) as ProjectItem).ballInCourt[0]?.displayName;
  }

  function authenticate(token: string, at: Date = now) {
    return authenticateBearer({ db: testDb.db, now: () => at } as ServerDeps, `Bearer ${token}`);
  }

  it('stores the username as given, keyed case-insensitively, with a scrypt hash of the password', async () => {
    testDb = await openTestDatabase(kind);
    const user = await createUser(testDb.db, { username: 'JSmith', displayName: ' John Smith ', password: 'demo', isGlobalAdmin: true }, now);
    expect(user).toEqual({ username: 'JSmith', usernameKey: 'jsmith', displayName: 'John Smith', isGlobalAdmin: true, createdAt: now.toISOString() });
    const row = await testDb.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('demo', row.password_hash)).toBe(true);
  });

  it('refuses a second user whose name differs only in case', async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'jsmith', now);
    await expect(seedUser(testDb.db, 'JSMITH', now)).rejects.toMatchObject({ code: 'user_exists', message: expect.stringContaining('"jsmith"') });
  });

  it.each([
    ['DEMO\\jsmith', 'invalid_username'],
    ['jsmith@demo', 'invalid_username'],
    ['j smith', 'invalid_username'],
  ])('refuses the username %j', async (username, code) => {
    testDb = await openTestDatabase(kind);
    await expect(seedUser(testDb.db, username, now)).rejects.toMatchObject({ code });
    expect(await listUsers(testDb.db)).toEqual([]);
  });

  it('refuses an empty display name and an empty password', async () => {
    testDb = await openTestDatabase(kind);
    await expect(createUser(testDb.db, { username: 'a', displayName: '  ', password: 'x' }, now)).rejects.toMatchObject({ code: 'invalid_display_name' });
    await expect(createUser(testDb.db, { username: 'a', displayName: 'A', password: '' }, now)).rejects.toMatchObject({ code: 'invalid_password' });
  });

  it('shows the display name in projects where the user is ball-in-court once added, renamed, and not once removed', async () => {
    testDb = await openTestDatabase(kind);
    await seedProject(testDb.db, 'P-1', ['JSmith'], now);
    expect(await bicDisplayName('P-1')).toBeNull();
    await seedUser(testDb.db, 'jsmith', now, { displayName: 'John Smith' });
    expect(await bicDisplayName('P-1')).toBe('John Smith');
    await renameUser(testDb.db, 'JSMITH', 'Johnny Smith', now);
    expect(await bicDisplayName('P-1')).toBe('Johnny Smith');
    await removeUser(testDb.db, 'jsmith', now);
    expect(await bicDisplayName('P-1')).toBeNull();
  });

  it('removing a user revokes their sessions and API tokens and deletes their Project Admin grants; re-adding the name revives nothing', async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'jsmith', now);
    const p1 = await seedProject(testDb.db, 'P-1', ['someone'], now);
    await grantProjectAdmin(testDb.db, 'jsmith', [p1]);
    const session = await createSession(testDb.db, 'jsmith', now);
    const apiToken = await createApiToken(testDb.db, { username: 'jsmith', name: 'ci' }, now);
    const removed = await removeUser(testDb.db, 'JSmith', now);
    expect(removed).toMatchObject({ revokedTokens: 2, projectAdminGrants: 1 });
    expect(await testDb.db.selectFrom('project_admins').selectAll().execute()).toEqual([]);
    await seedUser(testDb.db, 'jsmith', now);
    await expect(authenticate(session.token)).rejects.toMatchObject({ code: 'session_expired' });
    await expect(authenticate(apiToken.token)).rejects.toMatchObject({ code: 'session_expired' });
    expect((await listUsers(testDb.db))[0]!.projectAdminOf).toEqual([]);
  });

  it("changing the password ends the user's sessions but keeps their API tokens", async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'jsmith', now);
    const session = await createSession(testDb.db, 'jsmith', now);
    const apiToken = await createApiToken(testDb.db, { username: 'jsmith', name: 'ci' }, now);
    expect(await setPassword(testDb.db, 'jsmith', 'new password!', now)).toMatchObject({ revokedSessions: 1 });
    await expect(authenticate(session.token)).rejects.toMatchObject({ code: 'session_expired' });
    await expect(authenticate(apiToken.token)).resolves.toMatchObject({ username: 'jsmith', tokenKind: 'api' });
    const row = await testDb.db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow();
    expect(await verifyPassword('new password!', row.password_hash)).toBe(true);
    expect(await verifyPassword(PASSWORD, row.password_hash)).toBe(false);
  });

  it('grants and revokes Project Admin per project, reporting only what changed', async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'padmin', now);
    const p1 = await seedProject(testDb.db, 'P-1', ['x'], now);
    const p2 = await seedProject(testDb.db, 'P-2', ['x'], now);
    expect(await grantProjectAdmin(testDb.db, 'padmin', [p1])).toEqual([p1]);
    expect((await grantProjectAdmin(testDb.db, 'PADMIN', [p1, p2, p2])).sort()).toEqual([p2]);
    expect((await listUsers(testDb.db))[0]!.projectAdminOf).toEqual(['P-1', 'P-2']);
    expect(await revokeProjectAdmin(testDb.db, 'padmin', [p2])).toEqual([p2]);
    expect(await revokeProjectAdmin(testDb.db, 'padmin', [p2])).toEqual([]);
    expect((await listUsers(testDb.db))[0]!.projectAdminOf).toEqual(['P-1']);
  });

  it('grants and revokes Global Admin', async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'jsmith', now);
    expect(await setGlobalAdmin(testDb.db, 'jsmith', true)).toMatchObject({ changed: true, user: { isGlobalAdmin: true } });
    expect(await setGlobalAdmin(testDb.db, 'jsmith', true)).toMatchObject({ changed: false });
    expect(await setGlobalAdmin(testDb.db, 'jsmith', false)).toMatchObject({ changed: true, user: { isGlobalAdmin: false } });
  });

  it('resolves project numbers case-insensitively, and refuses them all when one is unknown, naming it', async () => {
    testDb = await openTestDatabase(kind);
    const p1 = await seedProject(testDb.db, 'P-1001', ['x'], now);
    expect(await resolveProjectNumbers(testDb.db, ['p-1001'])).toEqual([{ id: p1, number: 'P-1001' }]);
    await expect(resolveProjectNumbers(testDb.db, ['P-1001', 'P-9999', 'Q-1'])).rejects.toMatchObject({
      code: 'unknown_projects',
      message: expect.stringMatching(/"P-9999", "Q-1"/),
    });
  });

  it('lists users in username order with their Project Admin numbers in byte order', async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'bob', now);
    await seedUser(testDb.db, 'Alice', now, { isGlobalAdmin: true });
    const p2 = await seedProject(testDb.db, 'P-2', ['x'], now);
    const p10 = await seedProject(testDb.db, 'P-10', ['x'], now);
    await grantProjectAdmin(testDb.db, 'bob', [p2, p10]);
    expect((await listUsers(testDb.db)).map((user) => [user.username, user.isGlobalAdmin, user.projectAdminOf])).toEqual([
      ['Alice', true, []],
      ['bob', false, ['P-10', 'P-2']],
    ]);
  });
});
