import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectItem } from '../../../src/core/index.js';
import { buildProgram } from '../../../src/server/cli/main.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { countRows } from '../projects/support.js';

const kinds = await availableDatabaseKinds();

class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

describe.each(kinds)('ncs-server projects on %s', (kind) => {
  let dir: string;
  let testDb: TestDatabase;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ncs-projects-cli-'));
    // SQLite: the command opens {NCS_DATA_DIR}/ncs.db, the same file the test reads.
    testDb = await openTestDatabase(kind, kind === 'sqlite' ? { sqliteFile: path.join(dir, 'ncs.db') } : {});
    env = kind === 'sqlite' ? { NCS_DATA_DIR: dir } : testDb.env;
  });
  afterEach(async () => {
    await testDb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ncsServer(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = new Collector();
    const stderr = new Collector();
    let code = 0;
    const program = buildProgram(env, { stdin: new PassThrough(), stdout, stderr }, (c) => (code = c));
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      code = error.exitCode === 0 ? 0 : 2;
    }
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('adds a project, printing its NCS id on stdout and its status on stderr', async () => {
    const result = await ncsServer('projects', 'add', 'P-1001', '--name', 'Harbor Tower', '--company', '4294967297', '--procore-project', '562949953421312', '--bic', 'mlee:mlee@demo.example', '--bic', 'jsmith:jsmith@demo.example');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^prj_[a-z2-7]{20}\n$/);
    expect(result.stderr).toContain('Connection Lost (no_credential)');
    const bic = await testDb.db.selectFrom('bic_assignments').select(['position', 'username']).orderBy('position').execute();
    expect(bic).toEqual([{ position: 0, username: 'mlee' }, { position: 1, username: 'jsmith' }]);
  });

  it('refuses a malformed --bic with exit 2 and one line, storing nothing', async () => {
    const result = await ncsServer('projects', 'add', 'P-1', '--name', 'X', '--company', '1', '--procore-project', '1', '--bic', 'mlee');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('USER:LOGIN');
    expect(await countRows(testDb.db, 'projects')).toBe(0);
  });

  it('refuses a second project with the same number, ignoring case, with exit 2', async () => {
    await ncsServer('projects', 'add', 'P-1', '--name', 'X', '--company', '1', '--procore-project', '1', '--bic', 'a:a@x.example');
    const result = await ncsServer('projects', 'add', 'p-1', '--name', 'Y', '--company', '1', '--procore-project', '2', '--bic', 'a:a@x.example');
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining('already exists')]);
  });

  it('set-bic replaces the ball-in-court list in the given order; an unknown project exits 1', async () => {
    await ncsServer('projects', 'add', 'P-1', '--name', 'X', '--company', '1', '--procore-project', '1', '--bic', 'a:a@x.example');
    const result = await ncsServer('projects', 'set-bic', 'P-1', 'b:b@x.example', 'a:a@x.example');
    expect(result.code).toBe(0);
    const bic = await testDb.db.selectFrom('bic_assignments').select('username').orderBy('position').execute();
    expect(bic.map((b) => b.username)).toEqual(['b', 'a']);
    expect((await ncsServer('projects', 'set-bic', 'P-404', 'a:a@x.example')).code).toBe(1);
  });

  it('lists projects as a table and as the API\'s JSON items', async () => {
    await ncsServer('projects', 'add', 'P-2', '--name', 'Second', '--company', '1', '--procore-project', '2', '--bic', 'a:a@x.example');
    await ncsServer('projects', 'add', 'P-1', '--name', 'First', '--company', '1', '--procore-project', '1', '--bic', 'b:b@x.example');
    const table = await ncsServer('projects', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^NUMBER\s+NAME\s+STATUS/);
    expect(table.stdout).toContain('Connection Lost');
    const json = await ncsServer('projects', 'list', '--json');
    const items = JSON.parse(json.stdout) as ProjectItem[];
    expect(items.map((i) => [i.number, i.reason])).toEqual([['P-1', 'no_credential'], ['P-2', 'no_credential']]);
    expect((await ncsServer('projects', 'list', '--status', 'connected', '--json')).stdout).toBe('[]\n');
    expect((await ncsServer('projects', 'list', '--status', 'sideways')).code).toBe(2);
  });

  it('imports a Trimble CSV and prints each imported project', async () => {
    const file = path.join(dir, 'trimble.csv');
    writeFileSync(file, 'number,name,companyId,projectId,bicUsernames,bicLogins\nP-1003,Riverside Clinic,4242,5003,jsmith,jsmith@demo.example\n');
    const result = await ncsServer('projects', 'import-trimble', file);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^P-1003\tprj_[a-z2-7]{20}\n$/);
    expect(result.stderr).toContain('Imported 1 project');
  });

  it('refuses a bad import file with every problem by line on stderr, exit 2, and imports nothing', async () => {
    const file = path.join(dir, 'trimble.csv');
    writeFileSync(file, 'number,name,companyId,projectId,bicUsernames,bicLogins\nP-1,A,1,1,a,a@x.example\nP 2,B,1,1,a,a@x.example\nP-3,C,1,1,a,nope\n');
    const result = await ncsServer('projects', 'import-trimble', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:3: project number "P 2"`);
    expect(result.stderr).toContain(`${file}:4: Procore login "nope"`);
    expect(result.stderr).toContain('nothing was imported');
    expect(await countRows(testDb.db, 'projects')).toBe(0);
  });

  it('says which file it cannot read, with exit 2', async () => {
    const result = await ncsServer('projects', 'import-trimble', path.join(dir, 'missing.csv'));
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining('ENOENT')]);
  });
});
