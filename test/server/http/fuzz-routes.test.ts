// Property-based bad input on every route of the OpenAPI document: always an answer in the error shape, never a 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoWorld, type DemoWorld } from '../../support/demo-world.js';

interface Operation {
  method: string;
  path: string;
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const bodies = fc.oneof(
  jsonValue.map((value) => JSON.stringify(value)),
  fc.record({
    username: fc.oneof(fc.string(), fc.constant('DEMO\\gadmin'), fc.constant('gadmin@demo'), jsonValue),
    password: fc.oneof(fc.string(), jsonValue),
  }).map((value) => JSON.stringify(value)),
  fc.record(
    {
      attemptId: fc.oneof(fc.string(), jsonValue),
      state: fc.oneof(fc.string(), jsonValue),
      code: fc.oneof(fc.string(), jsonValue),
      token: fc.oneof(jsonValue, fc.record({ access_token: fc.string(), refresh_token: fc.string(), expires_in: fc.oneof(fc.integer(), fc.double()), created_at: fc.integer() })),
      redirectUri: fc.oneof(fc.string(), fc.webUrl(), jsonValue),
      oob: jsonValue,
    },
    { requiredKeys: [] },
  ).map((value) => JSON.stringify(value)),
  fc.string(), // not JSON at all
);
const queryValue = fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('lost', 'connected', '0', '201', '-1', '1e3', '%', '_'));
const queries = fc.dictionary(fc.constantFrom('status', 'q', 'limit', 'cursor', 'other', 'limit[]'), queryValue, { maxKeys: 4 });
const refs = fc.oneof(fc.constantFrom('P-1001', 'P-1002', 'p-1003', 'prj_aaaaaaaaaaaaaaaaaaaa', '%2e%2e', 'P-1001%00'), fc.string({ minLength: 1, maxLength: 80 }));

function toUrl(path: string, ref: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return `${path.replace('{ref}', encodeURIComponent(ref))}${search ? `?${search}` : ''}`;
}

describe('bad input on every route', () => {
  let world: DemoWorld;
  let operations: Operation[] = [];
  let token = '';

  beforeAll(async () => {
    world = await startDemoWorld('sqlite');
    token = await world.signIn('gadmin');
    const document = (await world.server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
  }, 60_000);
  afterAll(async () => world?.close());

  it('finds the routes to exercise in the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(11);
  });

  it.each([
    ['signed in as a Global Admin', true],
    ['not signed in', false],
  ])('answers every route with a 2xx or a 4xx in the error shape, %s', async (_label, signedIn) => {
    const seen = new Map<string, Set<number>>();
    for (const operation of operations) {
      await fc.assert(
        fc.asyncProperty(bodies, queries, refs, fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded'), async (body, query, ref, contentType) => {
          // Never sign the fuzzing session out: the rest of the run needs it.
          const headers: Record<string, string> = { 'content-type': contentType };
          if (signedIn && !(operation.method === 'DELETE' && operation.path === '/api/v1/session')) headers.authorization = `Bearer ${token}`;
          const hasBody = operation.method === 'POST' || operation.method === 'PUT' || operation.method === 'PATCH';
          const response = await world.server.app.inject({
            method: operation.method as 'GET',
            url: toUrl(operation.path, ref, query),
            headers,
            ...(hasBody ? { payload: body } : {}),
          });
          expect(response.statusCode, `${operation.method} ${operation.path}: ${response.body}`).toBeLessThan(500);
          const key = `${operation.method} ${operation.path}`;
          seen.set(key, (seen.get(key) ?? new Set()).add(response.statusCode));
          if (response.statusCode >= 400) {
            const parsed = response.json() as { error?: { code?: unknown; message?: unknown } };
            expect(typeof parsed.error?.code).toBe('string');
            expect(typeof parsed.error?.message).toBe('string');
          }
        }),
        { numRuns: 25 },
      );
    }
    // The generators reach past validation: signed in, some operations answer 2xx, 404 or 409, not only 400.
    const statuses = new Set([...seen.values()].flatMap((set) => [...set]));
    expect(seen.size).toBe(operations.length);
    if (signedIn) expect([...statuses].some((status) => status !== 400 && status !== 415)).toBe(true);
    else expect(statuses.has(401)).toBe(true);
  }, 240_000);
});
