import { afterEach, describe, expect, it } from 'vitest';
import {
  createApiToken,
  DirectoryError,
  listApiTokens,
  parseTokenLifetime,
  removeUser,
  revokeApiToken,
} from '../../../src/server/directory/index.js';
import { sha256Hex } from '../../../src/server/ids.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { seedUser } from './helpers.js';

const kinds = await availableDatabaseKinds();

describe('API token lifetimes', () => {
  it.each([
    ['90d', 90 * 86_400_000],
    ['30d', 30 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['45m', 45 * 60_000],
    [' 7D ', 7 * 86_400_000],
    ['365d', 365 * 86_400_000],
  ])('reads %j', (text, ms) => {
    expect(parseTokenLifetime(text)).toBe(ms);
  });

  it.each(['', '90', '0d', '366d', '1.5d', '-1d', '10s', '3w', 'forever'])('refuses %j, naming the accepted forms', (text) => {
    expect(() => parseTokenLifetime(text)).toThrow(/45m, 12h or 90d/);
  });
});

describe.each(kinds)('API tokens on %s', (kind) => {
  let testDb: TestDatabase;
  afterEach(async () => testDb?.close());
  const now = new Date('2025-03-01T09:00:00.000Z');

  it('creates an ncs_t_ token valid 90 days by default, stored as its SHA-256 only', async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'jsmith', now);
    const created = await createApiToken(testDb.db, { username: 'JSMITH', name: 'nightly' }, now);
    expect(created.token).toMatch(/^ncs_t_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ username: 'jsmith', name: 'nightly', expiresAt: '2025-05-30T09:00:00.000Z' });
    const row = await testDb.db.selectFrom('auth_tokens').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'api', token_hash: sha256Hex(created.token), expires_at: created.expiresAt, absolute_expires_at: created.expiresAt });
    expect(JSON.stringify(row)).not.toContain(created.token.slice(6));
  });

  it('lists tokens with id, user, name, times and revocation, never the token', async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'jsmith', now);
    const created = await createApiToken(testDb.db, { username: 'jsmith', name: 'nightly', lifetimeMs: 3_600_000 }, now);
    const listed = await listApiTokens(testDb.db);
    expect(listed).toEqual([
      { id: created.id, username: 'jsmith', name: 'nightly', createdAt: now.toISOString(), expiresAt: '2025-03-01T10:00:00.000Z', lastUsedAt: null, revokedAt: null },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  it('refuses a second live token with the same name for the same user, and allows it once the first is revoked', async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'jsmith', now);
    const first = await createApiToken(testDb.db, { username: 'jsmith', name: 'ci' }, now);
    await expect(createApiToken(testDb.db, { username: 'jsmith', name: 'ci' }, now)).rejects.toMatchObject({ code: 'token_name_taken' });
    await revokeApiToken(testDb.db, first.id, now);
    await expect(createApiToken(testDb.db, { username: 'jsmith', name: 'ci' }, now)).resolves.toMatchObject({ name: 'ci' });
  });

  it('refuses a token for an unknown user', async () => {
    testDb = await openTestDatabase(kind);
    const error = await createApiToken(testDb.db, { username: 'ghost', name: 'ci' }, now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectoryError);
    expect(error).toMatchObject({ code: 'user_not_found' });
  });

  it('revokes by id once, reports a second revocation as already done, and refuses an unknown id', async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'jsmith', now);
    const created = await createApiToken(testDb.db, { username: 'jsmith', name: 'ci' }, now);
    expect(await revokeApiToken(testDb.db, created.id, now)).toMatchObject({ alreadyRevoked: false, token: { revokedAt: now.toISOString() } });
    expect(await revokeApiToken(testDb.db, created.id, new Date(now.getTime() + 1000))).toMatchObject({ alreadyRevoked: true, token: { revokedAt: now.toISOString() } });
    await expect(revokeApiToken(testDb.db, 'tok_nope', now)).rejects.toMatchObject({ code: 'token_not_found' });
  });

  it("keeps a removed user's tokens listed under their username key, revoked", async () => {
    testDb = await openTestDatabase(kind);
    await seedUser(testDb.db, 'JSmith', now);
    await createApiToken(testDb.db, { username: 'jsmith', name: 'ci' }, now);
    await removeUser(testDb.db, 'jsmith', now);
    expect(await listApiTokens(testDb.db)).toMatchObject([{ username: 'jsmith', revokedAt: now.toISOString() }]);
  });
});
