// The REST subset: bearer auth, big ids, Procore-Company-Id, 403 vs 404, pagination, filters.
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_ID,
  BOB,
  COMPANY,
  ELSEWHERE,
  FIRST_RFI,
  HARBOR,
  LIBRARY,
  OTHER_COMPANY,
  START,
  api,
  buildTestEmulator,
  control,
  mint,
} from './helpers.js';

describe('bearer access token', () => {
  it('answers 401 with Procore\'s message for a missing, unknown, expired or revoked token', async () => {
    const { app, clock } = buildTestEmulator();
    const missing = await api(app, '/rest/v1.0/me', undefined);
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({ errors: 'The access token is invalid' });
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer /);
    expect((await api(app, '/rest/v1.0/me', 'eyJ.not.known')).statusCode).toBe(401);

    const expiring = await mint(app);
    clock.advance(5400 * 1000 - 1);
    expect((await api(app, '/rest/v1.0/me', expiring.access_token)).statusCode).toBe(200);
    clock.advance(1);
    expect((await api(app, '/rest/v1.0/me', expiring.access_token)).statusCode).toBe(401);

    const revoked = await mint(app);
    await control(app, 'POST', `/__emulator/accounts/${ALICE}/revoke`);
    expect((await api(app, '/rest/v1.0/me', revoked.access_token)).statusCode).toBe(401);
  });
});

describe('ids above 2^32', () => {
  it('round-trips them as exact JSON numbers, from seed strings to REST answers', async () => {
    const { app } = buildTestEmulator();
    const { access_token: token } = await mint(app);
    const me = await api(app, '/rest/v1.0/me', token);
    expect(me.body).toContain(`"id":${ALICE_ID}`);
    expect(me.json()).toEqual({ id: ALICE_ID, login: ALICE, name: 'Alice Able' });

    const project = await api(app, `/rest/v1.0/projects/${HARBOR}?company_id=${COMPANY}`, token);
    expect(project.statusCode).toBe(200);
    expect(project.json()).toMatchObject({ id: HARBOR, name: 'Harbor', company: { id: COMPANY } });

    const rfis = await api(app, `/rest/v1.0/projects/${HARBOR}/rfis`, token);
    expect(rfis.json().map((rfi: { id: number }) => rfi.id)).toEqual([FIRST_RFI, FIRST_RFI + 1]);
    expect(rfis.body).toContain(`"id":${FIRST_RFI}`);
  });
});

describe('Procore-Company-Id', () => {
  it('is not needed on /me and /companies', async () => {
    const { app } = buildTestEmulator();
    const { access_token: token } = await mint(app);
    expect((await api(app, '/rest/v1.0/me', token, null)).statusCode).toBe(200);
    const companies = await api(app, '/rest/v1.0/companies', token, null);
    expect(companies.statusCode).toBe(200);
    expect(companies.json()).toEqual([{ id: COMPANY, name: 'Big Ids Construction', is_active: true }]);
  });

  for (const path of [`/projects?company_id=${COMPANY}`, `/projects/${HARBOR}?company_id=${COMPANY}`, `/projects/${HARBOR}/rfis`, `/projects/${HARBOR}/submittals`]) {
    it(`is required on ${path.split('?')[0]}: 400 "Missing Procore-Company-Id header!"`, async () => {
      const { app } = buildTestEmulator();
      const { access_token: token } = await mint(app);
      const response = await api(app, `/rest/v1.0${path}`, token, null);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ errors: 'Missing Procore-Company-Id header!' });
      expect((await api(app, `/rest/v1.0${path}`, token)).statusCode).toBe(200);
    });
  }

  it('must agree with company_id', async () => {
    const { app } = buildTestEmulator();
    const { access_token: token } = await mint(app);
    const response = await api(app, `/rest/v1.0/projects?company_id=${COMPANY}`, token, OTHER_COMPANY);
    expect(response.statusCode).toBe(400);
  });
});

describe('projects', () => {
  it('lists only the company\'s projects the account was added to', async () => {
    const { app } = buildTestEmulator();
    const alice = (await mint(app)).access_token;
    const bob = (await mint(app, BOB)).access_token;
    const aliceList = await api(app, `/rest/v1.0/projects?company_id=${COMPANY}`, alice);
    expect(aliceList.json().map((p: { id: number }) => p.id)).toEqual([HARBOR, LIBRARY]);
    expect((await api(app, `/rest/v1.0/projects?company_id=${COMPANY}`, bob)).json()).toEqual([]);
    expect((await api(app, `/rest/v1.0/projects?company_id=${OTHER_COMPANY}`, bob, OTHER_COMPANY)).json().map((p: { id: number }) => p.id)).toEqual([ELSEWHERE]);
  });

  it('answers 404 for a project of another company, or one the account is not in', async () => {
    const { app } = buildTestEmulator();
    const alice = (await mint(app)).access_token;
    expect((await api(app, `/rest/v1.0/projects/${ELSEWHERE}?company_id=${OTHER_COMPANY}`, alice, OTHER_COMPANY)).statusCode).toBe(404);
    expect((await api(app, `/rest/v1.0/projects/${ELSEWHERE}?company_id=${COMPANY}`, alice)).statusCode).toBe(404);
    expect((await api(app, `/rest/v1.0/projects/${HARBOR}?company_id=${OTHER_COMPANY}`, alice, OTHER_COMPANY)).statusCode).toBe(404);
    expect((await api(app, `/rest/v1.0/projects/${HARBOR}/rfis`, alice, OTHER_COMPANY)).statusCode).toBe(404);
    expect((await api(app, `/rest/v1.0/projects/12345?company_id=${COMPANY}`, alice)).statusCode).toBe(404);
  });
});

describe('per-tool access', () => {
  it('answers 403 for a tool the account may not use in a project it sees, 404 for a project it does not see', async () => {
    const { app } = buildTestEmulator();
    const alice = (await mint(app)).access_token;
    expect((await api(app, `/rest/v1.0/projects/${LIBRARY}/rfis`, alice)).statusCode).toBe(200);
    const forbidden = await api(app, `/rest/v1.0/projects/${LIBRARY}/submittals`, alice);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().errors).toMatch(/Submittals/);
    const bob = (await mint(app, BOB)).access_token;
    expect((await api(app, `/rest/v1.0/projects/${LIBRARY}/rfis`, bob)).statusCode).toBe(404);
    expect((await api(app, `/rest/v1.0/projects/${LIBRARY}/submittals`, bob)).statusCode).toBe(404);
  });

  it('follows the access control endpoint: tool removed → 403, access removed → 404, granted → 200', async () => {
    const { app } = buildTestEmulator();
    const alice = (await mint(app)).access_token;
    const rfis = `/rest/v1.0/projects/${HARBOR}/rfis`;
    const set = (body: unknown) => control(app, 'PUT', `/__emulator/projects/${HARBOR}/access/${ALICE}`, body);

    expect((await set({ allowed: true, tools: { rfis: false } })).json()).toMatchObject({ tools: { rfis: false, submittals: true } });
    expect((await api(app, rfis, alice)).statusCode).toBe(403);
    expect((await api(app, `/rest/v1.0/projects/${HARBOR}/submittals`, alice)).statusCode).toBe(200);
    expect((await api(app, `/rest/v1.0/projects/${HARBOR}?company_id=${COMPANY}`, alice)).statusCode).toBe(200);

    await set({ allowed: false });
    expect((await api(app, rfis, alice)).statusCode).toBe(404);
    expect((await api(app, `/rest/v1.0/projects/${HARBOR}?company_id=${COMPANY}`, alice)).statusCode).toBe(404);
    expect((await api(app, `/rest/v1.0/projects?company_id=${COMPANY}`, alice)).json().map((p: { id: number }) => p.id)).toEqual([LIBRARY]);

    await set({ allowed: true });
    expect((await api(app, rfis, alice)).statusCode).toBe(200);
  });
});

describe('pagination', () => {
  async function withRfis(count: number) {
    const env = buildTestEmulator();
    for (let i = 0; i < count; i += 1) {
      await control(env.app, 'POST', `/__emulator/projects/${HARBOR}/rfis`, { subject: `Extra ${i}` });
    }
    return { ...env, token: (await mint(env.app)).access_token };
  }

  it('answers Total, Per-Page and absolute Link URLs that keep the other parameters', async () => {
    const { app, token } = await withRfis(5); // 7 RFIs in Harbor
    const from = '2000-01-01T00:00:00Z';
    const to = '2100-01-01T00:00:00Z';
    const query = `filters%5Bupdated_at%5D=${from}...${to}&per_page=3`;
    const page1 = await api(app, `/rest/v1.0/projects/${HARBOR}/rfis?${query}`, token, COMPANY, { host: 'procore.test:8443' });
    expect(page1.headers.total).toBe('7');
    expect(page1.headers['per-page']).toBe('3');
    expect(page1.json()).toHaveLength(3);
    const links = parseLinks(page1.headers.link as string);
    expect(Object.keys(links).sort()).toEqual(['last', 'next']);
    const next = new URL(links.next);
    expect(next.origin).toBe('http://procore.test:8443');
    expect(next.pathname).toBe(`/rest/v1.0/projects/${HARBOR}/rfis`);
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('per_page')).toBe('3');
    expect(next.searchParams.get('filters[updated_at]')).toBe(`${from}...${to}`);
    expect(new URL(links.last).searchParams.get('page')).toBe('3');

    const page2 = await api(app, `${next.pathname}${next.search}`, token);
    expect(Object.keys(parseLinks(page2.headers.link as string)).sort()).toEqual(['first', 'last', 'next', 'prev']);
    const page3 = await api(app, `/rest/v1.0/projects/${HARBOR}/rfis?${query}&page=3`, token);
    expect(page3.json()).toHaveLength(1);
    expect(Object.keys(parseLinks(page3.headers.link as string)).sort()).toEqual(['first', 'prev']);

    const ids = [...page1.json(), ...page2.json(), ...page3.json()].map((rfi: { id: number }) => rfi.id);
    expect(new Set(ids).size).toBe(7);
  });

  it('defaults per_page to 100 and sends no Link for a single page', async () => {
    const { app, token } = await withRfis(0);
    const response = await api(app, `/rest/v1.0/projects/${HARBOR}/rfis`, token);
    expect(response.headers['per-page']).toBe('100');
    expect(response.headers.total).toBe('2');
    expect(response.headers.link).toBeUndefined();
  });

  it('caps per_page at Procore\'s documented 10,000 and says so in Per-Page', async () => {
    const { app, token } = await withRfis(0);
    const response = await api(app, `/rest/v1.0/projects/${HARBOR}/rfis?per_page=20000`, token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['per-page']).toBe('10000');
  });

  it('refuses a page or per_page that is not a positive integer', async () => {
    const { app, token } = await withRfis(0);
    for (const query of ['page=0', 'page=abc', 'per_page=-1', 'per_page=1.5']) {
      expect((await api(app, `/rest/v1.0/projects/${HARBOR}/rfis?${query}`, token)).statusCode).toBe(400);
    }
  });

  it('paginates the project list too', async () => {
    const { app, token } = await withRfis(0);
    const response = await api(app, `/rest/v1.0/projects?company_id=${COMPANY}&per_page=1`, token);
    expect(response.headers.total).toBe('2');
    expect(response.json()).toHaveLength(1);
    expect(parseLinks(response.headers.link as string).next).toContain('page=2');
  });
});

describe('filters[updated_at]', () => {
  it('returns the items updated within the range, both bounds inclusive', async () => {
    const { app, clock } = buildTestEmulator();
    const token = (await mint(app)).access_token;
    // Seeded items were updated at START; these come one and two minutes later.
    clock.advance(60_000);
    const a = (await control(app, 'POST', `/__emulator/projects/${HARBOR}/rfis`, { subject: 'A' })).json();
    clock.advance(60_000);
    const b = (await control(app, 'POST', `/__emulator/projects/${HARBOR}/rfis`, { subject: 'B' })).json();
    const iso = (ms: number) => new Date(ms).toISOString();
    const list = async (from: number, to: number) =>
      (await api(app, `/rest/v1.0/projects/${HARBOR}/rfis?filters[updated_at]=${iso(from)}...${iso(to)}`, token)).json().map((r: { subject: string }) => r.subject);

    expect(await list(START + 60_000, START + 120_000)).toEqual(['A', 'B']);
    expect(await list(START + 60_001, START + 120_000)).toEqual(['B']);
    expect(await list(START + 60_000, START + 119_999)).toEqual(['A']);
    expect(await list(START, START)).toEqual(['Anchor spacing', 'Pile caps']);
    expect(a.updated_at).toBe(iso(START + 60_000));
    expect(b.updated_at).toBe(iso(START + 120_000));
  });

  it('moves an item into a later range when it is changed through the control endpoint', async () => {
    const { app, clock } = buildTestEmulator();
    const token = (await mint(app)).access_token;
    clock.advance(3_600_000);
    const patched = await control(app, 'PATCH', `/__emulator/projects/${HARBOR}/rfis/${FIRST_RFI}`, { subject: 'Anchor spacing (rev 1)' });
    expect(patched.statusCode).toBe(200);
    const range = `${new Date(START + 1).toISOString()}...${new Date(START + 3_600_000).toISOString()}`;
    const response = await api(app, `/rest/v1.0/projects/${HARBOR}/rfis?filters[updated_at]=${range}`, token);
    expect(response.json()).toEqual([
      expect.objectContaining({ id: FIRST_RFI, subject: 'Anchor spacing (rev 1)', created_at: new Date(START).toISOString(), updated_at: new Date(START + 3_600_000).toISOString() }),
    ]);
  });

  it('refuses a malformed range with 400', async () => {
    const { app } = buildTestEmulator();
    const token = (await mint(app)).access_token;
    for (const value of ['yesterday', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z..2025-01-02T00:00:00Z', 'x...y']) {
      const response = await api(app, `/rest/v1.0/projects/${HARBOR}/submittals?filters[updated_at]=${encodeURIComponent(value)}`, token);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toMatch(/filters\[updated_at\]/);
    }
  });
});

function parseLinks(header: string): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of header.split(/,\s*(?=<)/)) {
    const match = /^<([^>]+)>;\s*rel="([^"]+)"$/.exec(part.trim());
    if (!match) throw new Error(`bad Link part: ${part}`);
    links[match[2]] = match[1];
  }
  return links;
}
