// Seed validation, seeding and the demo seed of SPEC 8.
import { describe, expect, it } from 'vitest';
import { DEMO_APP, DEMO_SEED, EmulatorState, demoSeed, parseSeed } from '../../src/procore-emulator/index.js';
import { ALICE, COMPANY, HARBOR, api, buildTestEmulator, control, mint, testSeed } from './helpers.js';

describe('seed validation', () => {
  const base = testSeed();
  const cases: { name: string; seed: unknown; message: RegExp }[] = [
    { name: 'not an object', seed: [], message: /seed must be a JSON object/ },
    { name: 'an unknown top-level key', seed: { ...base, users: [] }, message: /seed\.users is not a known field/ },
    { name: 'a company without a name', seed: { ...base, companies: [{ id: 1 }] }, message: /companies\[0\]\.name/ },
    { name: 'an id at 2^53', seed: { ...base, companies: [{ id: 2 ** 53, name: 'x' }] }, message: /companies\[0\]\.id/ },
    { name: 'a string id past 2^53', seed: { ...base, companies: [{ id: '9007199254740993', name: 'x' }] }, message: /companies\[0\]\.id/ },
    { name: 'a negative id', seed: { ...base, companies: [{ id: -4, name: 'x' }] }, message: /companies\[0\]\.id/ },
    { name: 'a non-decimal string id', seed: { ...base, companies: [{ id: '0x10', name: 'x' }] }, message: /companies\[0\]\.id/ },
    { name: 'a duplicate project id', seed: { ...base, projects: [...base.projects, base.projects[0]] }, message: /project id .* appears twice/ },
    { name: 'a project of an unknown company', seed: { ...base, projects: [{ id: 1, companyId: 99, name: 'x' }] }, message: /projects\[0\]\.companyId: company 99/ },
    { name: 'logins differing only in case', seed: { ...base, accounts: [...base.accounts, { id: 3, login: ALICE.toUpperCase(), name: 'x', password: 'p' }] }, message: /login .* appears twice/ },
    { name: 'access for an unknown login', seed: { ...base, access: [{ projectId: HARBOR, login: 'ghost@x' }] }, message: /access\[0\]\.login/ },
    { name: 'access to an unknown project', seed: { ...base, access: [{ projectId: 42, login: ALICE }] }, message: /access\[0\]\.projectId/ },
    { name: 'a tool flag that is not boolean', seed: { ...base, access: [{ projectId: HARBOR, login: ALICE, tools: { rfis: 1 } }] }, message: /access\[0\]\.tools\.rfis/ },
    { name: 'an unknown tool', seed: { ...base, access: [{ projectId: HARBOR, login: ALICE, tools: { punch: true } }] }, message: /tools\.punch/ },
    { name: 'an RFI without subject', seed: { ...base, items: { rfis: [{ projectId: HARBOR }] } }, message: /items\.rfis\[0\]\.subject/ },
    { name: 'a submittal in an unknown project', seed: { ...base, items: { submittals: [{ projectId: 3, title: 't' }] } }, message: /items\.submittals\[0\]\.projectId/ },
    { name: 'a bad updatedAt', seed: { ...base, items: { rfis: [{ projectId: HARBOR, subject: 's', updatedAt: 'noon' }] } }, message: /updatedAt/ },
  ];
  for (const c of cases) {
    it(`answers 400 naming the problem: ${c.name}`, async () => {
      expect(() => parseSeed(c.seed)).toThrow(c.message);
      const { app } = buildTestEmulator();
      const response = await control(app, 'POST', '/__emulator/seed', c.seed);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toMatch(c.message);
    });
  }

  it('leaves the current world untouched when a seed is refused', async () => {
    const { app } = buildTestEmulator();
    const token = (await mint(app)).access_token;
    await control(app, 'POST', '/__emulator/seed', { companies: 'none' });
    expect((await api(app, '/rest/v1.0/me', token)).statusCode).toBe(200);
  });
});

describe('POST /__emulator/seed', () => {
  it('replaces the world, drops the old tokens, and becomes what reset returns to', async () => {
    const { app } = buildTestEmulator();
    const old = (await mint(app)).access_token;
    const seeded = await control(app, 'POST', '/__emulator/seed', {
      companies: [{ id: '4294967297', name: 'Just Past 2^32' }],
      projects: [{ id: '4294967298', companyId: 4294967297, name: 'P' }],
      accounts: [{ id: 4294967299, login: 'zed@example.test', name: 'Zed', password: 'pw' }],
      access: [{ projectId: 4294967298, login: 'zed@example.test', tools: { submittals: false } }],
      items: { rfis: [{ projectId: 4294967298, id: '4294967300', subject: 'Big', updatedAt: '2024-05-01T10:00:00Z' }] },
    });
    expect(seeded.statusCode).toBe(200);
    expect(seeded.json()).toEqual({ companies: 1, projects: 1, accounts: 1, access: 1, rfis: 1, submittals: 0 });
    expect((await api(app, '/rest/v1.0/me', old)).statusCode).toBe(401);
    expect((await control(app, 'GET', `/__emulator/accounts/${ALICE}/tokens`)).statusCode).toBe(404);

    await control(app, 'POST', '/__emulator/reset');
    const token = (await mint(app, 'zed@example.test')).access_token;
    const rfis = await api(app, '/rest/v1.0/projects/4294967298/rfis', token, 4294967297);
    expect(rfis.json()).toEqual([expect.objectContaining({ id: 4294967300, subject: 'Big', updated_at: '2024-05-01T10:00:00.000Z' })]);
    expect((await api(app, '/rest/v1.0/projects/4294967298/submittals', token, 4294967297)).statusCode).toBe(403);
  });

  it('takes a seed larger than Fastify\'s default 1 MiB body limit', async () => {
    const { app } = buildTestEmulator();
    const projects = Array.from({ length: 20_000 }, (_, i) => ({ id: 10_000_000_000 + i, companyId: COMPANY, name: `Project number ${i} with a long name` }));
    const seed = { companies: [{ id: COMPANY, name: 'Big' }], projects, accounts: [], access: [] };
    expect(JSON.stringify(seed).length).toBeGreaterThan(1024 * 1024);
    const response = await control(app, 'POST', '/__emulator/seed', seed);
    expect(response.statusCode).toBe(200);
    expect(response.json().projects).toBe(20_000);
  });
});

describe('demo seed (SPEC 8)', () => {
  it('is valid and holds company 4242, projects 5001–5005, the five accounts and their access', () => {
    const seed = parseSeed(demoSeed());
    expect(seed.companies).toEqual([{ id: 4242, name: 'Demo Builders' }]);
    expect(seed.projects.map((p) => [p.id, p.name])).toEqual([
      [5001, 'Harbor Tower'],
      [5002, 'Civic Library'],
      [5003, 'Riverside Clinic'],
      [5004, 'North Campus Lab'],
      [5005, 'Depot Renovation'],
    ]);
    expect(seed.accounts.map((a) => a.login)).toEqual(['mlee', 'jsmith', 'rkim', 'dchan', 'intruder'].map((n) => `${n}@demo.example`));
    expect(seed.accounts.every((a) => a.password === 'demo' && a.id < 1000)).toBe(true);
    expect(seed.access.map((a) => `${a.login.split('@')[0]}:${a.projectId}`)).toEqual(['mlee:5001', 'jsmith:5002', 'jsmith:5003', 'rkim:5004', 'dchan:5005']);
    expect(seed.access.every((a) => a.tools.rfis && a.tools.submittals)).toBe(true);
    for (const project of seed.projects) {
      expect(seed.items.rfis.filter((i) => i.projectId === project.id).length).toBeGreaterThanOrEqual(2);
      expect(seed.items.submittals.filter((i) => i.projectId === project.id).length).toBeGreaterThanOrEqual(2);
    }
    expect(parseSeed(DEMO_SEED)).toEqual(seed);
  });

  it('registers the demo app with the CLI loopback URIs and out-of-band', () => {
    expect(DEMO_APP).toEqual({
      clientId: 'ncs-demo',
      clientSecret: 'ncs-demo-secret',
      redirectUris: ['http://localhost:5599/callback', 'http://localhost:5600/callback', 'http://localhost:5601/callback', 'urn:ietf:wg:oauth:2.0:oob'],
    });
    expect(new EmulatorState({ seed: demoSeed() }).app.clientId).toBe('ncs-demo');
  });
});
