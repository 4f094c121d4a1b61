import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectDetail, ProjectItem, ProjectList } from '../../../src/core/index.js';
import { addProject } from '../../../src/server/projects/project-admin.js';
import { recomputeProject, recomputeProjectsForBicUser, writeAccountResults } from '../../../src/server/projects/project-state.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { seedProjects } from '../../support/seed-projects.js';
import { createTestServer, type TestServer } from '../../support/server-deps.js';
import { createViewer } from '../projects/support.js';

const kinds = await availableDatabaseKinds();
const now = new Date('2030-01-01T00:00:00.000Z');

describe.each(kinds)('project routes on %s', (kind) => {
  let server: TestServer;
  const auth: Record<string, string> = {};
  const ids: Record<string, string> = {};

  // P-1001 connected (mlee, padmin's), P-1002 lost (jsmith, padmin's), P-1003 lost (jsmith), P-1004 degraded (rkim),
  // plus names that test LIKE escaping and case.
  beforeAll(async () => {
    server = await createTestServer(kind);
    const db = server.deps.db;
    const add = async (number: string, name: string, username: string, result: 'ok' | 'token_revoked' | null) => {
      const item = await addProject(db, { number, name, companyId: '4294967297', projectId: '4294967298', ballInCourt: [{ username, procoreLogin: `${username}@demo.example` }] }, now);
      if (result) await writeAccountResults(db, item.id, [{ loginKey: `${username}@demo.example`, result }], now);
      ids[number] = item.id;
    };
    await add('P-1001', 'Harbor Tower', 'mlee', 'ok');
    await add('P-1002', 'Civic Library', 'jsmith', 'token_revoked');
    await add('P-1003', '100% Riverside_Clinic', 'jsmith', null);
    await add('P-1004', 'North Campus Lab', 'rkim', 'ok');
    await add('X_9', 'AxB Depot', 'dchan', null);
    await db.updateTable('projects').set({ transient_reason: 'rate_limited' }).where('id', '=', ids['P-1004']!).execute();
    await recomputeProject(db, ids['P-1004']!, now);

    auth.gadmin = await createViewer(db, { username: 'gadmin', globalAdmin: true });
    auth.padmin = await createViewer(db, { username: 'padmin', projectAdminOf: [ids['P-1001']!, ids['P-1002']!] });
    auth.jsmith = await createViewer(db, { username: 'JSmith', displayName: 'John Smith' });
    auth.viewer = await createViewer(db, { username: 'viewer' });
    // As `users add` does: a new NCS user's display name shows on the projects where they are ball-in-court.
    await recomputeProjectsForBicUser(db, 'jsmith', now);
  });
  afterAll(async () => server?.close());

  async function get(url: string, who: string | null = 'gadmin') {
    const response = await server.app.inject({ method: 'GET', url, headers: who ? { authorization: auth[who]! } : {} });
    return { status: response.statusCode, body: response.json(), headers: response.headers };
  }
  const numbers = (body: ProjectList) => body.items.map((item) => item.number);

  it('lists every project to a Global Admin, ordered by number in byte order', async () => {
    const { status, body, headers } = await get('/api/v1/projects');
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(numbers(body)).toEqual(['P-1001', 'P-1002', 'P-1003', 'P-1004', 'X_9']);
    expect(body.nextCursor).toBeNull();
  });

  it('shows each role only its projects in the list, the summary and the detail (404 for the others)', async () => {
    const expected: Record<string, string[]> = {
      padmin: ['P-1001', 'P-1002'],
      jsmith: ['P-1002', 'P-1003'],
      viewer: [],
    };
    for (const [who, visible] of Object.entries(expected)) {
      expect(numbers((await get('/api/v1/projects', who)).body)).toEqual(visible);
      for (const number of Object.keys(ids)) {
        const byNumber = await get(`/api/v1/projects/${number}`, who);
        const byId = await get(`/api/v1/projects/${ids[number]}`, who);
        const want = visible.includes(number) ? 200 : 404;
        expect([byNumber.status, byId.status]).toEqual([want, want]);
        if (want === 404) expect(byNumber.body.error.code).toBe('project_not_found');
      }
    }
    expect((await get('/api/v1/projects/summary', 'padmin')).body).toEqual({ connected: 1, lost: 1, degraded: 0 });
    expect((await get('/api/v1/projects/summary', 'jsmith')).body).toEqual({ connected: 0, lost: 2, degraded: 0 });
    expect((await get('/api/v1/projects/summary', 'viewer')).body).toEqual({ connected: 0, lost: 0, degraded: 0 });
    expect((await get('/api/v1/projects/summary', 'gadmin')).body).toEqual({ connected: 1, lost: 3, degraded: 1 });
  });

  it('answers 401 without a bearer token on every project route', async () => {
    for (const url of ['/api/v1/projects', '/api/v1/projects/summary', '/api/v1/projects/P-1001']) {
      const { status, body } = await get(url, null);
      expect([status, body.error.code]).toEqual([401, 'unauthenticated']);
    }
  });

  it('finds a project by number ignoring case and answers the item fields plus the explanation', async () => {
    const { status, body } = await get('/api/v1/projects/p-1002', 'jsmith');
    expect(status).toBe(200);
    const detail = body as ProjectDetail;
    expect([detail.number, detail.status, detail.reason]).toEqual(['P-1002', 'connection_lost', 'token_revoked']);
    expect(detail.remedy).toContain('Sign in to Procore as jsmith@demo.example.');
    expect(detail.ballInCourt).toEqual([{ username: 'jsmith', displayName: 'John Smith', procoreLogin: 'jsmith@demo.example', procoreUserId: null }]);
    expect(detail.sync).toEqual({ lastSyncAt: null, lastError: null, rfis: 0, submittals: 0 });
  });

  it('serves list items that deep-equal the item fields of each project\'s detail', async () => {
    const { body } = await get('/api/v1/projects');
    for (const item of body.items as ProjectItem[]) {
      const detail = (await get(`/api/v1/projects/${item.id}`)).body as ProjectDetail;
      const { summary, description, remedy, since, warnings, sync, ...itemFields } = detail;
      expect(itemFields).toEqual(item);
    }
  });

  it('filters by status, with lost meaning connection_lost', async () => {
    expect(numbers((await get('/api/v1/projects?status=lost')).body)).toEqual(['P-1002', 'P-1003', 'X_9']);
    expect(numbers((await get('/api/v1/projects?status=connection_lost')).body)).toEqual(['P-1002', 'P-1003', 'X_9']);
    expect(numbers((await get('/api/v1/projects?status=degraded')).body)).toEqual(['P-1004']);
    expect(numbers((await get('/api/v1/projects?status=connected')).body)).toEqual(['P-1001']);
  });

  it('matches q as a case-insensitive substring of number or name, with % and _ taken literally', async () => {
    expect(numbers((await get('/api/v1/projects?q=harbor')).body)).toEqual(['P-1001']);
    expect(numbers((await get('/api/v1/projects?q=p-100')).body)).toEqual(['P-1001', 'P-1002', 'P-1003', 'P-1004']);
    expect(numbers((await get(`/api/v1/projects?q=${encodeURIComponent('%')}`)).body)).toEqual(['P-1003']);
    expect(numbers((await get('/api/v1/projects?q=_')).body)).toEqual(['P-1003', 'X_9']);
    expect(numbers((await get('/api/v1/projects?q=x_')).body)).toEqual(['X_9']);
    expect(numbers((await get('/api/v1/projects?q=A_B')).body)).toEqual([]);
  });

  it.each(['0', '201', '-1', '1.5', 'abc', '', '050'])('refuses limit=%s with 400 validation_failed', async (limit) => {
    const { status, body } = await get(`/api/v1/projects?limit=${limit}`);
    expect([status, body.error.code]).toEqual([400, 'validation_failed']);
  });

  it.each([
    ['a cursor with characters outside base64url', 'abc!'],
    ['a cursor that decodes to no project number', Buffer.from('!!!').toString('base64url')],
    ['a non-canonical encoding', 'UC0xMDAx='],
    ['a repeated cursor parameter', ['UC0xMDAx', 'UC0xMDAy']],
  ])('refuses %s with 400 validation_failed', async (_rule, cursor) => {
    const query = Array.isArray(cursor) ? cursor.map((c) => `cursor=${c}`).join('&') : `cursor=${encodeURIComponent(cursor)}`;
    const { status, body } = await get(`/api/v1/projects?${query}`);
    expect([status, body.error.code]).toEqual([400, 'validation_failed']);
  });

  it('refuses an unknown query parameter with 400 validation_failed', async () => {
    const { status, body } = await get('/api/v1/projects?sort=name');
    expect([status, body.error.code, body.error.details.fields]).toEqual([400, 'validation_failed', { 'querystring.sort': 'is not a known field' }]);
  });

  it('documents the routes with their response schemas in the OpenAPI document', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const paths = response.json().paths;
    expect(paths['/api/v1/projects'].get.responses['200'].content['application/json'].schema.properties.items.items.required).toContain('ballInCourt');
    expect(paths['/api/v1/projects/summary'].get.tags).toEqual(['projects']);
    expect(paths['/api/v1/projects/{ref}'].get.responses).toHaveProperty('404');
  });

  it('answers every query string with 2xx or a 4xx in the error shape, never 5xx', async () => {
    const field = fc.constantFrom('status', 'q', 'limit', 'cursor', 'sort', 'Limit', '');
    const value = fc.oneof(fc.string(), fc.constantFrom('lost', 'connected', '1', '200', '201', 'UC0xMDAx', '%', '_', '\\'), fc.integer().map(String));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(field, value), { maxLength: 4 }), async (pairs) => {
        const query = new URLSearchParams(pairs).toString();
        const response = await server.app.inject({ method: 'GET', url: `/api/v1/projects?${query}`, headers: { authorization: auth.padmin! } });
        if (response.statusCode >= 200 && response.statusCode < 300) {
          expect(Array.isArray(response.json().items)).toBe(true);
          return;
        }
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expect(response.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 60 }), async (raw) => {
        const response = await server.app.inject({ method: 'GET', url: `/api/v1/projects?${raw}`, headers: { authorization: auth.gadmin! } });
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode >= 400) expect(response.json().error.code).toEqual(expect.any(String));
      }),
      { numRuns: 150 },
    );
  });
});

describe.each(kinds)('project list paging on %s', (kind) => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await createTestServer(kind);
    await seedProjects(server.deps.db, { count: 7, prefix: 'B-', bic: (i) => [{ username: 'u', procoreLogin: 'u@x.example', result: i % 2 ? 'ok' : 'token_expired' }] });
    for (const number of ['b-2', 'a-1', 'A-2', '10', '9']) {
      // One name holds what separates stored items, so cutting a page's extra item must not split inside a name.
      const name = number === 'a-1' ? 'tricky ,{"id":"prj_x"} name' : number;
      await addProject(server.deps.db, { number, name, companyId: '1', projectId: '1', ballInCourt: [{ username: 'u', procoreLogin: 'u@x.example' }] }, now);
    }
    token = await createViewer(server.deps.db, { username: 'gadmin', globalAdmin: true });
  });
  afterAll(async () => server?.close());

  async function page(query: string): Promise<ProjectList> {
    const response = await server.app.inject({ method: 'GET', url: `/api/v1/projects?${query}`, headers: { authorization: token } });
    expect(response.statusCode).toBe(200);
    return response.json();
  }

  it('sorts numbers in byte order: digits, then upper case, then lower case', async () => {
    const body = await page('limit=200');
    expect(body.items.map((i) => i.number)).toEqual(['10', '9', 'A-2', 'B-00001', 'B-00002', 'B-00003', 'B-00004', 'B-00005', 'B-00006', 'B-00007', 'a-1', 'b-2']);
  });

  it('walks every project once across pages with the cursor, and ends with a null cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: ProjectList = await page(`limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(body.items.length).toBeLessThanOrEqual(5);
      seen.push(...body.items.map((i) => i.number));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual((await page('limit=200')).items.map((i) => i.number));
  });

  it('pages within a status filter, and defaults to 50 items', async () => {
    const first = await page('status=lost&limit=2');
    const second = await page(`status=lost&limit=2&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].every((i) => i.status === 'connection_lost')).toBe(true);
    expect(first.items.map((i) => i.number)).toEqual(['10', '9']);
    expect(second.items.map((i) => i.number)).toEqual(['A-2', 'B-00002']);
    expect((await page('limit=1')).items).toHaveLength(1);
    expect((await page('')).items).toHaveLength(12);
  });

  it('gives a full last page a null cursor, with no page after it', async () => {
    const body = await page('limit=12');
    expect([body.items.length, body.nextCursor]).toEqual([12, null]);
  });

  it('keeps an item whose name contains the item separator whole when it ends a page', async () => {
    const first = await page('limit=11');
    expect(first.items.map((i) => i.number).slice(-1)).toEqual(['a-1']);
    expect(first.items[10]!.name).toBe('tricky ,{"id":"prj_x"} name');
    const second = await page(`limit=11&cursor=${first.nextCursor}`);
    expect([second.items.map((i) => i.number), second.nextCursor]).toEqual([['b-2'], null]);
    const before = await page('limit=10');
    expect(before.items).toHaveLength(10);
    expect(Buffer.from(before.nextCursor!, 'base64url').toString()).toBe('a-1');
  });
});
