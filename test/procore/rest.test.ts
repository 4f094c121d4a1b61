// REST half of the Procore client against msw: ids as strings, Procore-Company-Id, pagination, status mapping.
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API, ACCESS_TOKEN, BIG_ID, NOW_MS, caught, makeClient, server } from './support.js';

const COMPANY = BIG_ID + 1; // 562949953421313
const PROJECT = BIG_ID + 2;

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function project(id: number, name = `Project ${id}`) {
  return { id, name, project_number: `P-${id % 10000}`, active: true, company: { id: COMPANY, name: 'Demo Builders' } };
}

describe('ids', () => {
  it('turns ids above 2^32 (562949953421312) into exact decimal strings', async () => {
    server.use(http.get(`${API}/rest/v1.0/me`, () => HttpResponse.json({ id: BIG_ID, login: 'jsmith@demo.example', name: 'J Smith' })));
    const { client } = makeClient();
    expect(await client.getMe(ACCESS_TOKEN)).toEqual({ id: '562949953421312', login: 'jsmith@demo.example', name: 'J Smith' });
  });

  it('accepts ids Procore sends as strings', async () => {
    server.use(http.get(`${API}/rest/v1.0/me`, () => HttpResponse.json({ id: '9007199254740993', login: 'a@b.c', name: null })));
    const { client } = makeClient();
    expect(await client.getMe(ACCESS_TOKEN)).toEqual({ id: '9007199254740993', login: 'a@b.c', name: '' });
  });

  it('rejects an unusable id as bad_response', async () => {
    server.use(http.get(`${API}/rest/v1.0/me`, () => HttpResponse.json({ id: 1.5, login: 'a@b.c' })));
    const { client } = makeClient();
    expect(await caught(() => client.getMe(ACCESS_TOKEN))).toMatchObject({ kind: 'bad_response' });
  });

  it('accepts company and project ids as strings or safe integers and sends them exactly', async () => {
    let seen = '';
    server.use(
      http.get(`${API}/rest/v1.0/projects/:id`, ({ request, params }) => {
        seen = `${params.id} ${new URL(request.url).searchParams.get('company_id')} ${request.headers.get('procore-company-id')}`;
        return HttpResponse.json(project(PROJECT));
      }),
    );
    const { client } = makeClient();
    const fromStrings = await client.getProject(ACCESS_TOKEN, String(COMPANY), String(PROJECT));
    expect(seen).toBe(`${PROJECT} ${COMPANY} ${COMPANY}`);
    expect(fromStrings).toEqual({ id: String(PROJECT), name: `Project ${PROJECT}`, companyId: String(COMPANY), projectNumber: `P-${PROJECT % 10000}`, active: true });
    expect(await client.getProject(ACCESS_TOKEN, COMPANY, PROJECT)).toEqual(fromStrings);
  });
});

describe('Procore-Company-Id', () => {
  it('is sent on every call except /me and /companies, with company_id where Procore wants it', async () => {
    const calls: Array<{ path: string; companyHeader: string | null; companyQuery: string | null; authorization: string | null }> = [];
    const record = (request: Request) => {
      const url = new URL(request.url);
      calls.push({
        path: url.pathname,
        companyHeader: request.headers.get('procore-company-id'),
        companyQuery: url.searchParams.get('company_id'),
        authorization: request.headers.get('authorization'),
      });
    };
    server.use(
      http.get(`${API}/rest/v1.0/me`, ({ request }) => (record(request), HttpResponse.json({ id: 1, login: 'a@b.c', name: 'A' }))),
      http.get(`${API}/rest/v1.0/companies`, ({ request }) => (record(request), HttpResponse.json([{ id: COMPANY, name: 'Demo', is_active: true }]))),
      http.get(`${API}/rest/v1.0/projects`, ({ request }) => (record(request), HttpResponse.json([project(PROJECT)]))),
      http.get(`${API}/rest/v1.0/projects/:id`, ({ request }) => (record(request), HttpResponse.json(project(PROJECT)))),
      http.get(`${API}/rest/v1.0/projects/:id/:tool`, ({ request }) => (record(request), HttpResponse.json([]))),
    );
    const { client } = makeClient();
    await client.getMe(ACCESS_TOKEN);
    expect(await client.listCompanies(ACCESS_TOKEN)).toEqual([{ id: String(COMPANY), name: 'Demo', isActive: true }]);
    await client.listProjects(ACCESS_TOKEN, String(COMPANY));
    await client.getProject(ACCESS_TOKEN, String(COMPANY), String(PROJECT));
    await client.probeTool(ACCESS_TOKEN, String(COMPANY), String(PROJECT), 'rfis');
    await client.listItems(ACCESS_TOKEN, String(COMPANY), String(PROJECT), 'submittals');

    expect(calls.map((c) => [c.path, c.companyHeader, c.companyQuery])).toEqual([
      ['/rest/v1.0/me', null, null],
      ['/rest/v1.0/companies', null, null],
      ['/rest/v1.0/projects', String(COMPANY), String(COMPANY)],
      [`/rest/v1.0/projects/${PROJECT}`, String(COMPANY), String(COMPANY)],
      [`/rest/v1.0/projects/${PROJECT}/rfis`, String(COMPANY), null],
      [`/rest/v1.0/projects/${PROJECT}/submittals`, String(COMPANY), null],
    ]);
    expect(calls.every((c) => c.authorization === `Bearer ${ACCESS_TOKEN}`)).toBe(true);
  });
});

describe('listProjects pagination', () => {
  const all = [1, 2, 3, 4, 5].map((n) => project(BIG_ID + n));
  const pageOf = (page: number, perPage: number) => all.slice((page - 1) * perPage, page * perPage);

  it('follows the Link header across 3 pages', async () => {
    const pagesAsked: string[] = [];
    server.use(
      http.get(`${API}/rest/v1.0/projects`, ({ request }) => {
        const url = new URL(request.url);
        const page = Number(url.searchParams.get('page'));
        pagesAsked.push(`${page}/${url.searchParams.get('per_page')}`);
        const link = (p: number, rel: string) => `<${API}/rest/v1.0/projects?company_id=${COMPANY}&page=${p}&per_page=2>; rel="${rel}"`;
        const links = [link(1, 'first'), ...(page > 1 ? [link(page - 1, 'prev')] : []), ...(page < 3 ? [link(page + 1, 'next')] : []), link(3, 'last')];
        // Procore's own docs show a trailing comma after the last link.
        return HttpResponse.json(pageOf(page, 2), { headers: { link: `${links.join(', ')},`, 'per-page': '2' } });
      }),
    );
    const { client } = makeClient();
    const projects = await client.listProjects(ACCESS_TOKEN, String(COMPANY));
    expect(projects.map((p) => p.id)).toEqual(all.map((p) => String(p.id)));
    expect(pagesAsked).toEqual(['1/100', '2/100', '3/100']);
  });

  it('follows the Total header across 3 pages when there is no Link', async () => {
    let requests = 0;
    server.use(
      http.get(`${API}/rest/v1.0/projects`, ({ request }) => {
        requests++;
        const page = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json(pageOf(page, 2), { headers: { total: '5', 'per-page': '2' } });
      }),
    );
    const { client } = makeClient();
    expect((await client.listProjects(ACCESS_TOKEN, String(COMPANY))).length).toBe(5);
    expect(requests).toBe(3);
  });

  it('stops on a short page when Procore sends neither Link nor Total', async () => {
    let requests = 0;
    server.use(
      http.get(`${API}/rest/v1.0/projects`, () => {
        requests++;
        return HttpResponse.json(all);
      }),
    );
    const { client } = makeClient();
    expect((await client.listProjects(ACCESS_TOKEN, String(COMPANY))).length).toBe(5);
    expect(requests).toBe(1);
  });
});

describe('listItems', () => {
  it('sends filters[updated_at]=<ISO>...<ISO>, page and per_page=100, and reads nextPage and Total', async () => {
    let query: URLSearchParams | undefined;
    server.use(
      http.get(`${API}/rest/v1.0/projects/:id/rfis`, ({ request }) => {
        query = new URL(request.url).searchParams;
        return HttpResponse.json(
          [
            { id: BIG_ID + 10, subject: 'Door hardware', updated_at: '2024-05-31T23:59:00Z' },
            { id: BIG_ID + 11, subject: 'Slab edge', updated_at: '2024-05-31T23:59:30Z' },
          ],
          { headers: { total: '250', 'per-page': '100' } },
        );
      }),
    );
    const { client } = makeClient();
    const page = await client.listItems(ACCESS_TOKEN, String(COMPANY), String(PROJECT), 'rfis', {
      updatedFrom: new Date('2024-05-31T23:00:00.250Z'),
      updatedTo: new Date('2024-06-01T00:00:00.000Z'),
      page: 2,
    });
    expect(query?.get('filters[updated_at]')).toBe('2024-05-31T23:00:00Z...2024-06-01T00:00:00Z');
    expect(query?.get('page')).toBe('2');
    expect(query?.get('per_page')).toBe('100');
    expect(page.total).toBe(250);
    expect(page.nextPage).toBe(3);
    expect(page.items.map((i) => [i.id, i.updatedAt])).toEqual([
      ['562949953421322', '2024-05-31T23:59:00Z'],
      ['562949953421323', '2024-05-31T23:59:30Z'],
    ]);
    expect(page.items[0].raw).toMatchObject({ subject: 'Door hardware' });
  });

  it('with only updatedFrom, the range ends now; on the last page nextPage is null', async () => {
    let filter: string | null = null;
    server.use(
      http.get(`${API}/rest/v1.0/projects/:id/submittals`, ({ request }) => {
        filter = new URL(request.url).searchParams.get('filters[updated_at]');
        return HttpResponse.json([{ id: 7, title: 'Rebar', updated_at: '2024-05-31T12:00:00Z' }], { headers: { total: '1' } });
      }),
    );
    const { client } = makeClient();
    const page = await client.listItems(ACCESS_TOKEN, String(COMPANY), String(PROJECT), 'submittals', { updatedFrom: new Date('2024-05-01T00:00:00Z') });
    expect(filter).toBe(`2024-05-01T00:00:00Z...${new Date(NOW_MS).toISOString().replace('.000Z', 'Z')}`);
    expect(page).toMatchObject({ nextPage: null, total: 1 });
  });

  it('rejects an item without updated_at as bad_response', async () => {
    server.use(http.get(`${API}/rest/v1.0/projects/:id/rfis`, () => HttpResponse.json([{ id: 1 }])));
    const { client } = makeClient();
    expect(await caught(() => client.listItems(ACCESS_TOKEN, '1', '2', 'rfis'))).toMatchObject({ kind: 'bad_response' });
  });
});

describe('probeTool', () => {
  it('asks for one item only (per_page=1)', async () => {
    let perPage: string | null = null;
    server.use(
      http.get(`${API}/rest/v1.0/projects/:id/submittals`, ({ request }) => {
        perPage = new URL(request.url).searchParams.get('per_page');
        return HttpResponse.json([]);
      }),
    );
    const { client } = makeClient();
    await client.probeTool(ACCESS_TOKEN, String(COMPANY), String(PROJECT), 'submittals');
    expect(perPage).toBe('1');
  });
});

describe('status mapping', () => {
  it.each([
    { status: 401, body: { errors: 'The access token is invalid' }, kind: 'unauthorized' },
    { status: 403, body: { errors: 'App is not connected to this company' }, kind: 'forbidden' },
    { status: 403, body: { error: 'You do not have access' }, kind: 'forbidden' },
    { status: 404, body: { errors: 'Not Found' }, kind: 'not_found' },
    { status: 400, body: { errors: 'Missing Procore-Company-Id header!' }, kind: 'bad_response' },
  ])('maps $status to $kind without retrying', async ({ status, body, kind }) => {
    let requests = 0;
    server.use(
      http.get(`${API}/rest/v1.0/projects/:id/rfis`, () => {
        requests++;
        return HttpResponse.json(body, { status });
      }),
    );
    const { client, sleeps } = makeClient();
    const err = await caught(() => client.probeTool(ACCESS_TOKEN, String(COMPANY), String(PROJECT), 'rfis'));
    expect(err).toMatchObject({ name: 'ProcoreError', kind, status });
    expect(requests).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('maps a 200 whose body is not JSON to bad_response', async () => {
    server.use(http.get(`${API}/rest/v1.0/me`, () => new HttpResponse('<html>maintenance</html>', { status: 200 })));
    const { client } = makeClient();
    expect(await caught(() => client.getMe(ACCESS_TOKEN))).toMatchObject({ kind: 'bad_response', status: 200 });
  });

  it('does not follow redirects, so the bearer token never goes elsewhere', async () => {
    server.use(http.get(`${API}/rest/v1.0/me`, () => new HttpResponse(null, { status: 302, headers: { location: 'https://elsewhere.test/' } })));
    const { client } = makeClient();
    expect(await caught(() => client.getMe(ACCESS_TOKEN))).toMatchObject({ kind: 'bad_response', status: 302 });
  });
});
