// The reconnect routes (SPEC 4.2): oauth/cli, reconnect, procore-token, check and sync; schemas, permissions, bad input.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OOB_REDIRECT_URI } from '../../../src/core/index.js';
import { sha256Hex } from '../../../src/server/ids.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { CLI_REDIRECTS, CLIENT_ID, LOGINS, startWorld, type World } from '../reconnect/world.js';

const kinds = await availableDatabaseKinds();

describe.each(kinds)('reconnect routes on %s', (kind) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld(kind);
  });
  afterAll(async () => world?.close());

  it('lists the CLI redirect URIs for a signed-in caller only', async () => {
    const answer = await world.api('GET', '/api/v1/oauth/cli', 'viewer');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ redirectUris: CLI_REDIRECTS });
    const anonymous = await world.api('GET', '/api/v1/oauth/cli', null);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthenticated');
  });

  it('starts an attempt on the first CLI redirect URI by default, bound to 10 minutes', async () => {
    const answer = await world.api('POST', '/api/v1/projects/P-1002/reconnect', 'jsmith', {});
    expect(answer.statusCode).toBe(201);
    const started = answer.json();
    expect(started.redirectUri).toBe(CLI_REDIRECTS[0]);
    expect(started.expectedAccounts).toEqual([LOGINS.jsmith]);
    expect(Date.parse(started.expiresAt) - world.clock.now().getTime()).toBe(10 * 60_000);
    const url = new URL(started.authorizeUrl);
    expect(url.origin).toBe(world.emulator.url);
    expect(url.pathname).toBe('/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: CLI_REDIRECTS[0],
      state: started.state,
    });
    // Only a hash of the state is stored.
    const row = await world.server.deps.db.selectFrom('reconnect_attempts').selectAll().where('id', '=', started.attemptId).executeTakeFirstOrThrow();
    expect(row.state_hash).toBe(sha256Hex(started.state));
    expect(JSON.stringify(row)).not.toContain(started.state);
    expect(row.redirect_uri).toBe(CLI_REDIRECTS[0]);
  });

  it('accepts a chosen registered redirect URI and oob, and refuses any other with redirect_uri_not_allowed', async () => {
    const chosen = await world.api('POST', '/api/v1/projects/P-1002/reconnect', 'jsmith', { redirectUri: CLI_REDIRECTS[1] });
    expect(chosen.json().redirectUri).toBe(CLI_REDIRECTS[1]);
    const oob = await world.api('POST', '/api/v1/projects/P-1002/reconnect', 'jsmith', { oob: true });
    expect(oob.json().redirectUri).toBe(OOB_REDIRECT_URI);
    const other = await world.api('POST', '/api/v1/projects/P-1002/reconnect', 'jsmith', { redirectUri: 'http://localhost:5602/callback' });
    expect(other.statusCode).toBe(400);
    expect(other.json().error.code).toBe('redirect_uri_not_allowed');
    const both = await world.api('POST', '/api/v1/projects/P-1002/reconnect', 'jsmith', { oob: true, redirectUri: CLI_REDIRECTS[0] });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.code).toBe('validation_failed');
  });

  it('completes an out-of-band sign-in with the code Procore shows', async () => {
    const started = (await world.api('POST', '/api/v1/projects/P-1001/reconnect', 'mlee', { oob: true })).json();
    const { code } = await world.signIn(started.authorizeUrl, LOGINS.mlee);
    const answer = await world.api('POST', '/api/v1/projects/P-1001/procore-token', 'mlee', { attemptId: started.attemptId, state: started.state, code });
    expect(answer.statusCode, answer.body).toBe(200);
    const credential = await world.server.deps.db.selectFrom('credentials').select('redirect_uri').where('procore_login', '=', LOGINS.mlee).executeTakeFirstOrThrow();
    expect(credential.redirect_uri).toBe(OOB_REDIRECT_URI);
  });

  it('lists every BIC account as expected for an admin, and only their own for a BIC user', async () => {
    const admin = (await world.api('POST', '/api/v1/projects/P-1003/reconnect', 'gadmin', {})).json();
    expect(admin.expectedAccounts).toEqual([LOGINS.jsmith, LOGINS.mlee]);
    const bic = (await world.api('POST', '/api/v1/projects/P-1003/reconnect', 'mlee', {})).json();
    expect(bic.expectedAccounts).toEqual([LOGINS.mlee]);
  });

  it('answers 404 for a project the caller may not see, before anything else', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/v1/projects/P-1002/reconnect', {}],
      ['POST', '/api/v1/projects/P-1002/procore-token', { attemptId: 'att_x', state: 's', code: 'c' }],
      ['POST', '/api/v1/projects/P-1002/check', {}],
      ['POST', '/api/v1/projects/P-1002/sync', {}],
      ['POST', '/api/v1/projects/P-9999/reconnect', {}],
    ] as const) {
      const answer = await world.api(method, path, 'viewer', body);
      expect(answer.statusCode, path).toBe(404);
      expect(answer.json().error.code).toBe('project_not_found');
    }
  });

  it('answers 202 to a sync request from a Project Admin and 403 from a BIC user', async () => {
    const accepted = await world.api('POST', '/api/v1/projects/P-1002/sync', 'padmin');
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toEqual({ requestedAt: world.clock.now().toISOString() });
    const refused = await world.api('POST', '/api/v1/projects/P-1002/sync', 'jsmith', {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
  });

  it('lets a BIC user check their project, with or without an empty body', async () => {
    const bare = await world.api('POST', '/api/v1/projects/P-1002/check', 'jsmith');
    expect(bare.statusCode).toBe(200);
    expect(bare.json().checks[0]).toMatchObject({ account: LOGINS.jsmith, credential: 'missing', reason: 'no_credential' });
    expect((await world.api('POST', '/api/v1/projects/P-1002/check', 'jsmith', {})).statusCode).toBe(200);
    const extra = await world.api('POST', '/api/v1/projects/P-1002/check', 'jsmith', { force: true });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('validation_failed');
  });

  it('refuses unknown fields and over-long values with validation_failed', async () => {
    const cases: [string, unknown][] = [
      ['/api/v1/projects/P-1002/reconnect', { redirectUri: CLI_REDIRECTS[0], extra: 1 }],
      ['/api/v1/projects/P-1002/reconnect', { redirectUri: 'x'.repeat(3000) }],
      ['/api/v1/projects/P-1002/reconnect', { oob: 'yes' }],
      ['/api/v1/projects/P-1002/procore-token', { attemptId: 'a', state: 's' }],
      ['/api/v1/projects/P-1002/procore-token', { attemptId: 'a', state: 's', code: 'c', token: {} }],
      ['/api/v1/projects/P-1002/procore-token', { token: { access_token: 'a', token_type: 'bearer', expires_in: 5400, refresh_token: 'r' } }],
      ['/api/v1/projects/P-1002/procore-token', { attemptId: 'a', state: 's', code: 'c'.repeat(5000) }],
    ];
    for (const [path, body] of cases) {
      const answer = await world.api('POST', path, 'gadmin', body);
      expect(answer.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.json().error.code).toBe('validation_failed');
    }
  });

  it('documents every reconnect route in the OpenAPI document', async () => {
    const doc = (await world.api('GET', '/api/v1/openapi.json', null)).json();
    for (const path of ['/api/v1/oauth/cli', '/api/v1/projects/{ref}/reconnect', '/api/v1/projects/{ref}/procore-token', '/api/v1/projects/{ref}/check', '/api/v1/projects/{ref}/sync']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths['/api/v1/projects/{ref}/procore-token'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '409', '422', '429', '503']),
    );
  });

  describe('never answers 5xx to arbitrary input', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const shaped = fc.oneof(
      json,
      fc.record({ redirectUri: fc.oneof(fc.string(), fc.constantFrom(...CLI_REDIRECTS)), oob: fc.oneof(fc.boolean(), json) }, { requiredKeys: [] }),
      fc.record({ attemptId: fc.string(), state: fc.string(), code: fc.string() }),
      fc.record({
        token: fc.record({
          access_token: fc.string({ minLength: 1 }),
          token_type: fc.constantFrom('bearer', 'Bearer', 'mac', ''),
          expires_in: fc.oneof(fc.integer(), fc.double()),
          refresh_token: fc.string({ minLength: 1 }),
          created_at: fc.oneof(fc.integer(), fc.constant(-1)),
        }),
        redirectUri: fc.string(),
      }, { requiredKeys: ['token'] }),
    );
    const ref = fc.oneof(fc.constantFrom('P-1001', 'P-1002', 'p-1002', 'prj_aaaaaaaaaaaaaaaaaaaa'), fc.string({ minLength: 1, maxLength: 80 }).map(encodeURIComponent));

    for (const action of ['reconnect', 'procore-token', 'check']) {
      it(`POST /projects/{ref}/${action}`, async () => {
        await fc.assert(
          fc.asyncProperty(ref, shaped, fc.constantFrom('gadmin', 'jsmith', 'viewer') as fc.Arbitrary<'gadmin' | 'jsmith' | 'viewer'>, async (projectRef, body, user) => {
            const answer = await world.server.app.inject({
              method: 'POST',
              url: `/api/v1/projects/${projectRef}/${action}`,
              headers: { authorization: `Bearer ${world.tokens[user]}`, 'content-type': 'application/json' },
              payload: JSON.stringify(body),
            });
            expect(answer.statusCode, `${answer.statusCode} ${answer.body}`).toBeLessThan(500);
            expect(answer.json().error ?? answer.json()).toBeDefined();
            if (answer.statusCode >= 400) expect(answer.json().error.code).toEqual(expect.any(String));
          }),
          { numRuns: 60 },
        );
      });
    }
  });
});
