import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../support/server-deps.js';

const SPEC_ROUTES = [
  ['post', '/api/v1/session'],
  ['delete', '/api/v1/session'],
  ['get', '/api/v1/me'],
  ['get', '/api/v1/oauth/cli'],
  ['get', '/api/v1/projects'],
  ['get', '/api/v1/projects/summary'],
  ['get', '/api/v1/projects/{ref}'],
  ['post', '/api/v1/projects/{ref}/check'],
  ['post', '/api/v1/projects/{ref}/reconnect'],
  ['post', '/api/v1/projects/{ref}/procore-token'],
  ['post', '/api/v1/projects/{ref}/sync'],
  ['get', '/healthz'],
  ['get', '/readyz'],
] as const;

describe('the HTTP application', () => {
  let server: TestServer;
  afterEach(async () => server?.close());

  it('documents every SPEC 4.2 route, with a schema for each response status, in the OpenAPI document', async () => {
    server = await createTestServer('sqlite');
    const response = await server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(document.openapi).toMatch(/^3\./);
    for (const [method, path] of SPEC_ROUTES) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
      expect(Object.keys(operation!.responses).length, `${method.toUpperCase()} ${path} responses`).toBeGreaterThan(0);
    }
  });

  it('answers an unknown route with the error shape and 404', async () => {
    server = await createTestServer('sqlite');
    const response = await server.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses malformed JSON with 400 invalid_json', async () => {
    server = await createTestServer('sqlite');
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('refuses a body that is not JSON with 415 unsupported_media_type', async () => {
    server = await createTestServer('sqlite');
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'text/plain' },
      payload: 'username=a&password=b',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('refuses a body over 64 KiB with 413 payload_too_large', async () => {
    server = await createTestServer('sqlite');
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'a', password: 'x'.repeat(70_000) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('never logs a bearer token, a password, an authorization code or a state', async () => {
    server = await createTestServer('sqlite');
    await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer ncs_s_SECRETSESSIONVALUE' } });
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'content-type': 'application/json' },
      payload: { username: 'nobody', password: 'Sup3r-Secret-Passw0rd' },
    });
    await server.app.inject({ method: 'GET', url: '/api/v1/nowhere?code=SECRETCODEVALUE&state=SECRETSTATEVALUE' });
    const logs = server.logs.text();
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of ['SECRETSESSIONVALUE', 'Sup3r-Secret-Passw0rd', 'SECRETCODEVALUE', 'SECRETSTATEVALUE']) {
      expect(logs).not.toContain(secret);
    }
  });

  it('answers /healthz, holds /readyz at 503 until start-up work is done, and serves Prometheus metrics', async () => {
    server = await createTestServer('sqlite', { deps: { readiness: { ready: false } } });
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const notReady = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ error: { code: 'not_ready' } });
    server.deps.readiness.ready = true;
    expect((await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('ncs_projects{status="connection_lost"} 0');
  });

  it('warns once when X-Forwarded-For arrives from an address NCS_TRUST_PROXY does not trust, and ignores it', async () => {
    server = await createTestServer('sqlite');
    for (let i = 0; i < 3; i++) {
      await server.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-forwarded-for': '203.0.113.9' } });
    }
    const warnings = server.logs.lines.filter((line) => line.includes('X-Forwarded-For arrived'));
    expect(warnings).toHaveLength(1);
  });

  it('takes the client address from X-Forwarded-For when NCS_TRUST_PROXY trusts the sender', async () => {
    server = await createTestServer('sqlite', { env: { NCS_TRUST_PROXY: 'true' } });
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'x-forwarded-for': '203.0.113.9' },
      payload: { username: 'nobody', password: 'wrong-password' },
    });
    const audit = await server.deps.db.selectFrom('audit_log').select('details').where('action', '=', 'sign_in_failed').execute();
    expect(audit.map((row) => JSON.parse(row.details) as { address?: string })).toEqual([expect.objectContaining({ address: '203.0.113.9' })]);
    expect(server.logs.text()).not.toContain('X-Forwarded-For arrived');
  });
});
