import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../../src/server/audit/audit-log.js';
import { ImportError } from '../../../src/server/projects/errors.js';
import { addProject } from '../../../src/server/projects/project-admin.js';
import { loadProjectItems } from '../../../src/server/projects/project-state.js';
import { parseTrimbleFile } from '../../../src/server/projects/trimble-file.js';
import { importTrimbleProjects } from '../../../src/server/projects/trimble-import.js';
import { availableDatabaseKinds, openTestDatabase, type TestDatabase } from '../../support/databases.js';
import { countRows } from './support.js';

const kinds = await availableDatabaseKinds();
const now = new Date('2030-01-01T00:00:00.000Z');
const HEADER = 'number,name,companyId,projectId,bicUsernames,bicLogins';

function problemsOf(run: () => unknown): { line: number; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportError) return error.problems;
    throw error;
  }
  throw new Error('expected an ImportError');
}

describe('parseTrimbleFile', () => {
  it('reads quoted CSV fields with commas and doubled quotes', () => {
    const content = [HEADER, 'P-1,"Riverside, ""North"" Clinic",4242,5003,jsmith;mlee,jsmith@demo.example;mlee@demo.example', ''].join('\r\n');
    const { rows } = parseTrimbleFile({ fileName: 'x.csv', content });
    expect(rows.map((r) => [r.line, r.number, r.name])).toEqual([[2, 'P-1', 'Riverside, "North" Clinic']]);
    expect(rows[0]!.ballInCourt).toEqual([
      { username: 'jsmith', procoreLogin: 'jsmith@demo.example' },
      { username: 'mlee', procoreLogin: 'mlee@demo.example' },
    ]);
  });

  it('counts the lines inside a quoted field, so later problems name their real line', () => {
    const content = [HEADER, 'P-2,"Two', 'lines",4242,5004,rkim,rkim@demo.example', 'P-3,Fine,4242,5005,rkim,rkim@demo.example', 'bad number!,X,4242,5005,rkim,rkim@demo.example'].join('\n');
    expect(problemsOf(() => parseTrimbleFile({ fileName: 'x.csv', content }))).toEqual([
      { line: 2, message: 'the project name contains control characters' },
      { line: 5, message: expect.stringContaining('bad number!') },
    ]);
  });

  it('reports every bad CSV row by its line, not just the first', () => {
    const content = [
      HEADER,
      'P-1,Good,4242,5001,a,a@x.example',
      'P-2,,4242,5002,a,a@x.example',
      'P-3,Bad login,4242,5003,a,not-an-email',
      'P-4,Good,4242,5004,a,a@x.example',
      'P-5,Counts,4242,5005,a;b,a@x.example',
      'P-6,Too few fields,4242',
      'P-7,Bad id,42x,5007,a,a@x.example',
      'P-8,"unclosed,4242,5008,a,a@x.example',
    ].join('\n');
    const problems = problemsOf(() => parseTrimbleFile({ fileName: 'x.csv', content }));
    expect(problems.map((p) => p.line)).toEqual([3, 4, 6, 7, 8, 9]);
  });

  it('reports a duplicate number within the file, ignoring case, at the later line naming the first', () => {
    const content = [HEADER, 'P-1,A,1,1,a,a@x.example', 'p-1,B,1,2,a,a@x.example'].join('\n');
    expect(problemsOf(() => parseTrimbleFile({ fileName: 'x.csv', content }))).toEqual([{ line: 3, message: expect.stringContaining('line 2') }]);
  });

  it('refuses a header that is not the documented one', () => {
    const content = ['number,name,companyId,projectId,bicUsernames', 'P-1,A,1,1,a'].join('\n');
    expect(problemsOf(() => parseTrimbleFile({ fileName: 'x.csv', content }))).toEqual([{ line: 1, message: expect.stringContaining('bicLogins') }]);
  });

  it('reads JSON with ids as strings or safe integers, and reports bad items by array index', () => {
    const good = { number: 'P-1', name: 'A', companyId: 4294967297, projectId: '562949953421312', ballInCourt: [{ username: 'a', procoreLogin: 'a@x.example' }] };
    const { rows } = parseTrimbleFile({ fileName: 'x.json', content: JSON.stringify([good]) });
    expect([rows[0]!.companyId, rows[0]!.projectId]).toEqual(['4294967297', '562949953421312']);

    const content = `[${[
      JSON.stringify(good),
      JSON.stringify({ ...good, number: 'P-2', companyId: 1.5 }),
      '{"number":"P-3","name":"A","companyId":9007199254740993,"projectId":"1","ballInCourt":[{"username":"a","procoreLogin":"a@x.example"}]}',
      JSON.stringify({ ...good, number: 'P-4', extra: true }),
      JSON.stringify({ ...good, number: 'P-5', ballInCourt: [{ username: 'a' }] }),
      '"not an object"',
    ].join(',')}]`;
    expect(problemsOf(() => parseTrimbleFile({ fileName: 'x.json', content })).map((p) => p.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses JSON that does not parse or is not an array, as a whole-file problem', () => {
    expect(problemsOf(() => parseTrimbleFile({ fileName: 'x.json', content: '[{' }))).toEqual([{ line: 0, message: expect.stringContaining('not valid JSON') }]);
    expect(problemsOf(() => parseTrimbleFile({ fileName: 'x.json', content: '{}' }))).toEqual([{ line: 0, message: expect.stringContaining('array') }]);
  });
});

describe.each(kinds)('importTrimbleProjects on %s', (kind) => {
  let testDb: TestDatabase;
  beforeEach(async () => {
    testDb = await openTestDatabase(kind);
  });
  afterEach(async () => testDb.close());

  it('imports CSV projects as trimble_migration, lost with migrated_from_trimble on every account, and audits it', async () => {
    const content = [HEADER, 'P-1003,Riverside Clinic,4294967297,562949953421313,jsmith;mlee,jsmith@demo.example;mlee@demo.example'].join('\n');
    const result = await importTrimbleProjects(testDb.db, { fileName: '/tmp/trimble.csv', content }, now);
    expect(result.imported).toBe(1);
    const [item] = await loadProjectItems(testDb.db, [result.projects[0]!.id]);
    expect(item).toMatchObject({
      number: 'P-1003',
      status: 'connection_lost',
      reason: 'migrated_from_trimble',
      procore: { companyId: '4294967297', projectId: '562949953421313' },
      accounts: [
        { login: 'jsmith@demo.example', reason: 'migrated_from_trimble' },
        { login: 'mlee@demo.example', reason: 'migrated_from_trimble' },
      ],
    });
    const row = await testDb.db.selectFrom('projects').select('origin').executeTakeFirstOrThrow();
    expect(row.origin).toBe('trimble_migration');
    const audit = await listAudit(testDb.db);
    expect(audit).toMatchObject([{ action: 'projects_imported', details: { file: 'trimble.csv', count: 1, numbers: ['P-1003'] } }]);
  });

  it('imports JSON ids above 2^32 given as strings and as numbers exactly', async () => {
    const content = JSON.stringify([
      { number: 'P-1', name: 'A', companyId: '4294967297', projectId: 8589934593, ballInCourt: [{ username: 'a', procoreLogin: 'a@x.example' }] },
      { number: 'P-2', name: 'B', companyId: 4294967297, projectId: '9007199254740991', ballInCourt: [{ username: 'b', procoreLogin: 'b@x.example' }] },
    ]);
    await importTrimbleProjects(testDb.db, { fileName: 'x.json', content }, now);
    const rows = await testDb.db.selectFrom('projects').select(['number', 'company_id', 'procore_project_id']).orderBy('number').execute();
    expect(rows).toEqual([
      { number: 'P-1', company_id: '4294967297', procore_project_id: '8589934593' },
      { number: 'P-2', company_id: '4294967297', procore_project_id: '9007199254740991' },
    ]);
  });

  it('imports nothing when several rows are bad, and reports each line', async () => {
    const content = [HEADER, 'P-1,Good,1,1,a,a@x.example', 'P 2,Bad,1,1,a,a@x.example', 'P-3,Good,1,1,a,a@x.example', 'P-4,Bad,1,1,a,nope'].join('\n');
    const before = await Promise.all([countRows(testDb.db, 'projects'), countRows(testDb.db, 'bic_assignments'), countRows(testDb.db, 'account_results'), countRows(testDb.db, 'audit_log')]);
    const error = await importTrimbleProjects(testDb.db, { fileName: 'x.csv', content }, now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).problems.map((p) => p.line)).toEqual([3, 5]);
    const after = await Promise.all([countRows(testDb.db, 'projects'), countRows(testDb.db, 'bic_assignments'), countRows(testDb.db, 'account_results'), countRows(testDb.db, 'audit_log')]);
    expect(after).toEqual(before);
  });

  it('imports nothing when a number already exists, ignoring case, and names its line', async () => {
    await addProject(testDb.db, { number: 'P-1001', name: 'Harbor', companyId: '1', projectId: '1', ballInCourt: [{ username: 'a', procoreLogin: 'a@x.example' }] }, now);
    const content = [HEADER, 'P-2000,New,1,2,a,a@x.example', 'p-1001,Clash,1,3,a,a@x.example'].join('\n');
    const error = await importTrimbleProjects(testDb.db, { fileName: 'x.csv', content }, now).catch((e: unknown) => e);
    expect((error as ImportError).problems).toEqual([{ line: 3, message: expect.stringContaining('already exists') }]);
    expect(await countRows(testDb.db, 'projects')).toBe(1);
  });

  it('imports a thousand rows in one go', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 1000; i++) lines.push(`T-${i},Project ${i},4294967297,${4294967297 + i},u${i % 7},u${i % 7}@x.example`);
    const result = await importTrimbleProjects(testDb.db, { fileName: 'big.csv', content: lines.join('\n') }, now);
    expect(result.imported).toBe(1000);
    expect(await countRows(testDb.db, 'account_results')).toBe(1000);
  });
});
