// The portal's HTML routes stay out of the API's OpenAPI document.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../support/server-deps.js';

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer('sqlite');
});
afterAll(async () => {
  await server?.close();
});

it('does not list /connectorweb pages in /api/v1/openapi.json', async () => {
  const document = (await server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, unknown> };
  expect(Object.keys(document.paths).length).toBeGreaterThan(0);
  expect(Object.keys(document.paths).filter((p) => p.startsWith('/connectorweb'))).toEqual([]);
});
