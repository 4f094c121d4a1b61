// Cached list pages never outlive a commit: by this instance, by another connection, or by another process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/server/db/connect.js';
import { createProjectPageCache } from '../../../src/server/projects/page-cache.js';
import { writeAccountResults } from '../../../src/server/projects/project-state.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { seedProjects } from '../../support/seed-projects.js';

const allProjects = { scope: { all: true as const }, limit: 50 };

describe.each(await availableDatabaseKinds())('the list page cache on %s', (kind) => {
  let database: TestDatabase | undefined;
  let other: Db | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await other?.destroy();
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    other = undefined;
  });

  async function open(): Promise<TestDatabase> {
    if (kind === 'sqlite') {
      dir = await mkdtemp(path.join(tmpdir(), 'ncs-cache-'));
      return openTestDatabase('sqlite', { sqliteFile: path.join(dir, 'ncs.db') });
    }
    return openTestDatabase('postgres');
  }

  /** A second connection pool to the same database, as another instance or an admin command would have. */
  async function secondConnection(): Promise<Db> {
    if (kind === 'sqlite') return openDatabase({ sqliteFile: path.join(dir!, 'ncs.db') });
    return openDatabase({ url: database!.env.DATABASE_URL!.split('?')[0], pgSchema: /search_path=(\S+)/.exec(decodeURIComponent(database!.env.DATABASE_URL!))![1] });
  }

  it('serves the same page again until something is committed, then reads it anew', async () => {
    database = await open();
    const [first] = await seedProjects(database.db, { count: 3 });
    const cache = createProjectPageCache();
    // On PostgreSQL the stamp is the cluster's WAL position, which other tests running at the same time move
    // too: a hit needs two reads with no commit anywhere in between, so a few tries are allowed.
    let before = await cache.read(database.db, allProjects);
    let hit = false;
    for (let tries = 0; tries < 20 && !hit; tries++) {
      const again = await cache.read(database.db, allProjects);
      hit = again === before;
      before = again;
    }
    expect(hit).toBe(true);

    const assignment = await database.db.selectFrom('bic_assignments').select('login_key').where('project_id', '=', first!.id).executeTakeFirstOrThrow();
    await writeAccountResults(database.db, first!.id, [{ loginKey: assignment.login_key, result: 'token_revoked' }], new Date());
    const after = await cache.read(database.db, allProjects);
    expect(after).not.toBe(before);
    expect(after.itemsJson).toContain('"token_revoked"');
  });

  it('sees a commit made through another connection', async () => {
    database = await open();
    const seeded = await seedProjects(database.db, { count: 3 });
    const cache = createProjectPageCache();
    const before = await cache.read(database.db, allProjects);
    expect(before.itemsJson).not.toContain('"token_expired"');

    other = await secondConnection();
    const firstAssignment = await other.selectFrom('bic_assignments').select('login_key').where('project_id', '=', seeded[0]!.id).executeTakeFirstOrThrow();
    await writeAccountResults(other, seeded[0]!.id, [{ loginKey: firstAssignment.login_key, result: 'token_expired' }], new Date());
    expect((await cache.read(database.db, allProjects)).itemsJson).toContain('"token_expired"');
  });

  it('keeps pages of different viewers and filters apart', async () => {
    database = await open();
    await seedProjects(database.db, { count: 3 });
    const cache = createProjectPageCache();
    const everything = await cache.read(database.db, allProjects);
    const nobody = await cache.read(database.db, { scope: { all: false, usernameKey: 'nobody' }, limit: 50 });
    expect(everything.count).toBe(3);
    expect(nobody.count).toBe(0);
    expect((await cache.read(database.db, { ...allProjects, status: 'degraded' })).count).toBe(0);
  });
});
