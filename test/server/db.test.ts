import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/server/db/connect.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const kinds = await availableDatabaseKinds();

describe.each(kinds)('database on %s', (kind) => {
  let testDb: TestDatabase;
  afterEach(async () => testDb?.close());

  it('migrates once and a second run applies nothing', async () => {
    testDb = await openTestDatabase(kind);
    expect(await migrateToLatest(testDb.db)).toEqual([]);
  });

  it('sorts project numbers in byte order', async () => {
    testDb = await openTestDatabase(kind);
    const now = new Date().toISOString();
    for (const number of ['b-2', 'B-1', 'a-1', 'A-2', '10', '9']) {
      await testDb.db
        .insertInto('projects')
        .values({
          id: `prj_${number}`, number, number_key: number.toLowerCase(), name: number, company_id: '1',
          procore_project_id: '1', origin: 'ncs', status: 'connection_lost', reason: 'unknown', transient_reason: null,
          failed_rounds: 0, since: now, last_sync_at: null, last_error_code: null, last_error_message: null,
          last_error_at: null, item_json: '{}', created_at: now, updated_at: now,
        })
        .execute();
    }
    const rows = await testDb.db.selectFrom('projects').select('number').orderBy('number').execute();
    expect(rows.map((r) => r.number)).toEqual(['10', '9', 'A-2', 'B-1', 'a-1', 'b-2']);
  });

  it('keeps Procore ids above 2^32 exact as text', async () => {
    testDb = await openTestDatabase(kind);
    const id = '562949953421312';
    await sql`insert into leases (name, holder, expires_at) values (${id}, 'x', 'y')`.execute(testDb.db);
    const row = await testDb.db.selectFrom('leases').selectAll().executeTakeFirstOrThrow();
    expect(row.name).toBe(id);
  });
});
