// Two processes on one SQLite file (a server and an admin command): a transaction that reads and then writes
// waits for the other writer instead of failing with SQLITE_BUSY.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Db } from '../../src/server/db/connect.js';

/** Holds SQLite's write lock on `file` from another process for `ms`, then commits a row; resolves once it holds it. */
function holdWriteLock(file: string, ms: number): Promise<{ done: Promise<void> }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 5000');
    db.prepare('begin immediate').run();
    db.prepare("insert into leases (name, holder, expires_at) values ('other', 'other-process', '2100-01-01T00:00:00.000Z')").run();
    process.stdout.write('locked\\n');
    setTimeout(() => { db.prepare('commit').run(); db.close(); }, Number(process.argv[2]));`;
  const child = spawn(process.execPath, ['-e', script, file, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`holder exited ${code}`)))));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve({ done }));
    child.on('error', reject);
  });
}

describe('SQLite shared by two processes', () => {
  let dir: string | undefined;
  let db: Db | undefined;
  afterEach(async () => {
    await db?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the other process to commit and then reads and writes in one transaction', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ncs-sqlite-lock-'));
    const file = path.join(dir, 'ncs.db');
    db = await openDatabase({ sqliteFile: file });
    await migrateToLatest(db);
    const holder = await holdWriteLock(file, 300);
    const names = await db.transaction().execute(async (trx) => {
      const seen = await trx.selectFrom('leases').select('name').execute();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await trx.insertInto('leases').values({ name: 'mine', holder: 'this-process', expires_at: '2100-01-01T00:00:00.000Z' }).execute();
      return seen.map((row) => row.name);
    });
    await holder.done;
    // The transaction began after the other process committed, so it saw that row, and its own write went through.
    expect(names).toEqual(['other']);
    expect((await db.selectFrom('leases').select('name').orderBy('name').execute()).map((row) => row.name)).toEqual(['mine', 'other']);
  });
});
