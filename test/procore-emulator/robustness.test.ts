// Arbitrary bodies and queries never make the emulator answer 5xx.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALICE, HARBOR, buildTestEmulator } from './helpers.js';

const routes: { method: 'POST' | 'PUT' | 'PATCH'; url: string }[] = [
  { method: 'POST', url: '/oauth/token' },
  { method: 'POST', url: '/oauth/revoke' },
  { method: 'POST', url: '/oauth/authorize' },
  { method: 'POST', url: '/__emulator/seed' },
  { method: 'PUT', url: '/__emulator/app' },
  { method: 'PUT', url: '/__emulator/outage' },
  { method: 'PUT', url: '/__emulator/settings' },
  { method: 'POST', url: `/__emulator/accounts/${ALICE}/tokens` },
  { method: 'PATCH', url: `/__emulator/accounts/${ALICE}` },
  { method: 'PUT', url: `/__emulator/projects/${HARBOR}/access/${ALICE}` },
  { method: 'POST', url: `/__emulator/projects/${HARBOR}/rfis` },
  { method: 'PATCH', url: `/__emulator/projects/${HARBOR}/submittals/1` },
];

describe('bad input', () => {
  it('never answers 5xx to arbitrary JSON bodies on any body-taking route', async () => {
    const { app } = buildTestEmulator();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue(), async (route, body) => {
        const response = await app.inject({
          method: route.method,
          url: route.url,
          payload: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
        expect(response.statusCode).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it('never answers 5xx to arbitrary query strings on the REST and authorize routes', async () => {
    const { app } = buildTestEmulator();
    const token = (await app.inject({ method: 'POST', url: `/__emulator/accounts/${ALICE}/tokens` })).json().access_token as string;
    const paths = ['/oauth/authorize', '/rest/v1.0/projects', `/rest/v1.0/projects/${HARBOR}`, `/rest/v1.0/projects/${HARBOR}/rfis`, '/oauth/sign_out'];
    const key = fc.constantFrom('page', 'per_page', 'company_id', 'filters[updated_at]', 'client_id', 'redirect_uri', 'state', 'return_to', 'response_type');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.array(fc.tuple(key, fc.string()), { maxLength: 6 }), fc.string(), async (path, pairs, company) => {
        const query = new URLSearchParams(pairs).toString();
        const response = await app.inject({
          method: 'GET',
          url: `${path}?${query}`,
          headers: { authorization: `Bearer ${token}`, 'procore-company-id': encodeURIComponent(company) },
        });
        expect(response.statusCode).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });
});
