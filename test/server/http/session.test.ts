import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../../src/core/index.js';
import { createApiToken, grantProjectAdmin, MAX_FAILURES_PER_ADDRESS } from '../../../src/server/directory/index.js';
import { sha256Hex } from '../../../src/server/ids.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { createTestServer, type TestServer } from '../../support/server-deps.js';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, PASSWORD, seedProject, seedUser, signInRequest } from '../directory/helpers.js';

const kinds = await availableDatabaseKinds();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe.each(kinds)('sign-in and sessions on %s', (kind) => {
  let server: TestServer;
  afterEach(async () => server?.close());

  async function start(env: Record<string, string> = {}): Promise<TestServer> {
    server = await createTestServer(kind, { env });
    return server;
  }

  async function failureCount(): Promise<number> {
    const row = await server.deps.db.selectFrom('sign_in_failures').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function signInToken(username: string): Promise<string> {
    const response = await signInRequest(server.app, { username, password: PASSWORD });
    expect(response.statusCode).toBe(201);
    return (response.json() as { token: string }).token;
  }

  it('signs in with the right password: 201 with an ncs_s_ token, expiry 12 h ahead and the user', async () => {
    await start();
    await seedUser(server.deps.db, 'JSmith', server.clock.now(), { displayName: 'John Smith' });
    const response = await signInRequest(server.app, { username: 'jsmith', password: PASSWORD });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json() as { token: string; expiresAt: string; user: unknown };
    expect(body.token).toMatch(/^ncs_s_[A-Za-z0-9_-]{43}$/);
    expect(body.expiresAt).toBe(new Date(server.clock.now().getTime() + 12 * HOUR).toISOString());
    expect(body.user).toEqual({ username: 'JSmith', displayName: 'John Smith', isGlobalAdmin: false });
  });

  it('answers the same 401 invalid_credentials for an unknown user and for a wrong password', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const wrongPassword = await signInRequest(server.app, { username: 'jsmith', password: 'not the password' });
    const unknownUser = await signInRequest(server.app, { username: 'nobody', password: PASSWORD });
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownUser.statusCode).toBe(401);
    expect(wrongPassword.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
    expect(unknownUser.body).toBe(wrongPassword.body);
  });

  it.each(['DEMO\\jsmith', 'jsmith@demo', 'jsmith@demo.example'])(
    'refuses the domain username %s with 400 username_includes_domain naming "jsmith", and does not count it',
    async (username) => {
      await start();
      await seedUser(server.deps.db, 'jsmith', server.clock.now());
      for (let i = 0; i < 6; i++) {
        const response = await signInRequest(server.app, { username, password: 'whatever' });
        expect(response.statusCode).toBe(400);
        const error = (response.json() as { error: { code: string; message: string } }).error;
        expect(error.code).toBe('username_includes_domain');
        expect(error.message).toContain('"jsmith"');
      }
      expect(await failureCount()).toBe(0);
      expect((await signInRequest(server.app, { username: 'jsmith', password: PASSWORD })).statusCode).toBe(201);
    },
  );

  it('refuses malformed bodies with 400 validation_failed and does not count them', async () => {
    await start();
    const bodies = [
      { username: 'jsmith' },
      { username: 'jsmith', password: 'x', extra: true },
      { username: 42, password: 'x' },
      { username: '', password: 'x' },
      { username: 'jsmith', password: '' },
      ['jsmith', 'x'],
    ];
    for (const body of bodies) {
      const response = await signInRequest(server.app, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    expect(await failureCount()).toBe(0);
  });

  it('throttles a username after 5 failures in 15 minutes, with Retry-After until the oldest failure leaves the window, without checking the password', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const start0 = server.clock.now().getTime();
    for (let i = 0; i < 5; i++) {
      server.clock.set(start0 + i * MINUTE);
      expect((await signInRequest(server.app, { username: 'JSMITH', password: `guess-${i}` })).statusCode).toBe(401);
    }
    server.clock.set(start0 + 5 * MINUTE);
    const throttled = await signInRequest(server.app, { username: 'jsmith', password: PASSWORD });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json()).toMatchObject({ error: { code: 'too_many_sign_in_attempts' } });
    expect(throttled.headers['retry-after']).toBe(String(10 * 60));

    server.clock.set(start0 + 15 * MINUTE - 1000);
    const stillThrottled = await signInRequest(server.app, { username: 'jsmith', password: PASSWORD });
    expect(stillThrottled.statusCode).toBe(429);
    expect(stillThrottled.headers['retry-after']).toBe('1');

    server.clock.set(start0 + 15 * MINUTE);
    expect((await signInRequest(server.app, { username: 'jsmith', password: PASSWORD })).statusCode).toBe(201);
  });

  it('does not count throttled attempts: the window ends as the first failures leave it, however often one retried', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const start0 = server.clock.now().getTime();
    for (let i = 0; i < 5; i++) await signInRequest(server.app, { username: 'jsmith', password: `guess-${i}` });
    for (let i = 0; i < 10; i++) {
      server.clock.set(start0 + (i + 1) * MINUTE);
      expect((await signInRequest(server.app, { username: 'jsmith', password: `again-${i}` })).statusCode).toBe(429);
    }
    expect(await failureCount()).toBe(5);
    server.clock.set(start0 + 15 * MINUTE + 1);
    // The five failures left together, so five new guesses are allowed again before the next 429.
    for (let i = 0; i < 5; i++) expect((await signInRequest(server.app, { username: 'jsmith', password: `later-${i}` })).statusCode).toBe(401);
    expect((await signInRequest(server.app, { username: 'jsmith', password: PASSWORD })).statusCode).toBe(429);
  });

  it('throttles a client address after 100 failures in 15 minutes across usernames (X-Forwarded-For trusted by NCS_TRUST_PROXY)', async () => {
    await start({ NCS_TRUST_PROXY: 'true' });
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const attacker = { 'x-forwarded-for': '203.0.113.7' };
    const now = server.clock.now().getTime();
    // 99 earlier failures from the address, each for another username, the oldest 10 minutes ago.
    await server.deps.db
      .insertInto('sign_in_failures')
      .values(
        Array.from({ length: MAX_FAILURES_PER_ADDRESS - 1 }, (_, i) => ({
          id: `sif_seed${String(i).padStart(3, '0')}`,
          username_key: `user${i}`,
          client_address: '203.0.113.7',
          failed_at: new Date(now - 10 * MINUTE + i * 1000).toISOString(),
        })),
      )
      .execute();
    expect((await signInRequest(server.app, { username: 'someone', password: 'guess' }, attacker)).statusCode).toBe(401);
    const rows = await server.deps.db.selectFrom('sign_in_failures').select('client_address').where('username_key', '=', 'someone').execute();
    expect(rows).toEqual([{ client_address: '203.0.113.7' }]);

    const throttled = await signInRequest(server.app, { username: 'jsmith', password: PASSWORD }, attacker);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['retry-after']).toBe(String(5 * 60));
    // Another address is not affected.
    expect((await signInRequest(server.app, { username: 'jsmith', password: PASSWORD }, { 'x-forwarded-for': '198.51.100.9' })).statusCode).toBe(201);
  });

  it('lets no more than 5 of 20 simultaneous wrong guesses for one username through to the password check', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signInRequest(server.app, { username: 'jsmith', password: `burst-${i}` })),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    expect(await failureCount()).toBeLessThanOrEqual(5);
  });

  it('counts the peer address, not an untrusted X-Forwarded-For', async () => {
    await start();
    await signInRequest(server.app, { username: 'someone', password: 'guess' }, { 'x-forwarded-for': '203.0.113.7' });
    const rows = await server.deps.db.selectFrom('sign_in_failures').select('client_address').execute();
    expect(rows).toEqual([{ client_address: '127.0.0.1' }]);
  });

  it("clears the signed-in username's failures only, not those of other usernames from the same address", async () => {
    await start();
    await seedUser(server.deps.db, 'alice', server.clock.now());
    await seedUser(server.deps.db, 'bob', server.clock.now());
    for (let i = 0; i < 4; i++) {
      await signInRequest(server.app, { username: 'alice', password: `guess-${i}` });
      await signInRequest(server.app, { username: 'bob', password: `guess-${i}` });
    }
    expect((await signInRequest(server.app, { username: 'Alice', password: PASSWORD })).statusCode).toBe(201);
    const left = await server.deps.db.selectFrom('sign_in_failures').select('username_key').execute();
    expect(left.map((row) => row.username_key)).toEqual(['bob', 'bob', 'bob', 'bob']);
    expect((await signInRequest(server.app, { username: 'bob', password: 'guess-5' })).statusCode).toBe(401);
    expect((await signInRequest(server.app, { username: 'bob', password: PASSWORD })).statusCode).toBe(429);
    for (let i = 0; i < 4; i++) expect((await signInRequest(server.app, { username: 'alice', password: `again-${i}` })).statusCode).toBe(401);
  });

  it('prunes failures that left the window when a new failure is recorded', async () => {
    await start();
    await signInRequest(server.app, { username: 'old', password: 'guess' });
    server.clock.advance(16 * MINUTE);
    await signInRequest(server.app, { username: 'new', password: 'guess' });
    const left = await server.deps.db.selectFrom('sign_in_failures').select('username_key').execute();
    expect(left).toEqual([{ username_key: 'new' }]);
  });

  it('stores the session as its SHA-256 only: no table holds the token or the password in clear', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const token = await signInToken('jsmith');
    const row = await server.deps.db.selectFrom('auth_tokens').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'session', token_hash: sha256Hex(token), username_key: 'jsmith' });
    for (const table of ['auth_tokens', 'users', 'audit_log', 'sign_in_failures'] as const) {
      const dump = JSON.stringify(await server.deps.db.selectFrom(table).selectAll().execute());
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(token.slice('ncs_s_'.length));
      expect(dump).not.toContain(PASSWORD);
    }
  });

  it('ends a session after 12 hours without use, and slides the expiry while it is used', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const token = await signInToken('jsmith');
    server.clock.advance(11 * HOUR);
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    server.clock.advance(11 * HOUR);
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    server.clock.advance(12 * HOUR);
    const expired = await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ error: { code: 'session_expired' } });
  });

  it('ends a session 7 days after sign-in even while it is used', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const signedInAt = server.clock.now().getTime();
    const token = await signInToken('jsmith');
    while (server.clock.now().getTime() + 11 * HOUR < signedInAt + 7 * DAY) {
      server.clock.advance(11 * HOUR);
      expect((await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    }
    server.clock.set(signedInAt + 7 * DAY);
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401);
  });

  it('DELETE /session revokes the bearer session (204), after which it is refused, and audits the sign-out', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const token = await signInToken('jsmith');
    server.clock.advance(1000);
    const other = await signInToken('jsmith');
    server.clock.advance(1000);
    const response = await server.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: bearer(token) });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    const after = await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: { code: 'session_expired' } });
    // Only that session ends.
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(other) })).statusCode).toBe(200);
    const actions = await server.deps.db.selectFrom('audit_log').select(['action', 'actor']).orderBy('at').orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['sign_in', 'sign_in', 'sign_out']);
  });

  it('DELETE /session with an API token answers 400 not_a_session and leaves the token valid', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const { token } = await createApiToken(server.deps.db, { username: 'jsmith', name: 'ci' }, server.clock.now());
    const response = await server.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: bearer(token) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'not_a_session' } });
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200);
  });

  it('refuses an API token once it has expired', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    const { token } = await createApiToken(server.deps.db, { username: 'jsmith', name: 'ci', lifetimeMs: HOUR }, server.clock.now());
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    server.clock.advance(HOUR);
    const expired = await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ error: { code: 'session_expired' } });
  });

  it('GET /me without a bearer token answers 401 unauthenticated', async () => {
    await start();
    const response = await server.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('GET /me lists the roles: Global Admin, and the project numbers administered and ball-in-court of, in byte order', async () => {
    await start();
    const now = server.clock.now();
    await seedUser(server.deps.db, 'padmin', now, { displayName: 'Pat Admin' });
    await seedUser(server.deps.db, 'gadmin', now, { isGlobalAdmin: true });
    const p2 = await seedProject(server.deps.db, 'P-2', ['jsmith'], now);
    const p10 = await seedProject(server.deps.db, 'P-10', ['jsmith'], now);
    await seedProject(server.deps.db, 'p-3', ['PAdmin', 'jsmith'], now);
    await seedProject(server.deps.db, 'P-4', ['jsmith', 'padmin'], now);
    await grantProjectAdmin(server.deps.db, 'padmin', [p2, p10]);

    const me = await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(await signInToken('padmin')) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({
      user: { username: 'padmin', displayName: 'Pat Admin', isGlobalAdmin: false },
      roles: { globalAdmin: false, projectAdminOf: ['P-10', 'P-2'], bicOf: ['P-4', 'p-3'] },
    });
    const global = await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(await signInToken('gadmin')) });
    expect(global.json()).toMatchObject({ user: { isGlobalAdmin: true }, roles: { globalAdmin: true, projectAdminOf: [], bicOf: [] } });
  });

  it('audits sign-ins and failures with the username and address, and never logs or audits a password or token', async () => {
    await start();
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
    await signInRequest(server.app, { username: 'jsmith', password: 'wrong-password-123' });
    server.clock.advance(1000);
    const token = await signInToken('jsmith');
    server.clock.advance(1000);
    await server.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    await server.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: bearer(token) });
    const audit = await server.deps.db.selectFrom('audit_log').selectAll().orderBy('at').orderBy('id').execute();
    expect(audit.map((entry) => [entry.actor, entry.action])).toEqual([
      ['jsmith', 'sign_in_failed'],
      ['jsmith', 'sign_in'],
      ['jsmith', 'sign_out'],
    ]);
    expect(JSON.parse(audit[0]!.details)).toEqual({ address: '127.0.0.1' });
    const everything = JSON.stringify(audit) + server.logs.text();
    for (const secret of [PASSWORD, 'wrong-password-123', token, token.slice('ncs_s_'.length)]) expect(everything).not.toContain(secret);
  });

  it('notes in the audit log when a username reaches the failure limit', async () => {
    await start();
    for (let i = 0; i < 5; i++) {
      await signInRequest(server.app, { username: 'jsmith', password: `guess-${i}` });
      server.clock.advance(1000);
    }
    const audit = await server.deps.db.selectFrom('audit_log').select('details').orderBy('at').orderBy('id').execute();
    expect(audit.map((entry) => 'throttledUntil' in JSON.parse(entry.details))).toEqual([false, false, false, false, true]);
  });

  it('documents the three routes with their error statuses in the OpenAPI document', async () => {
    await start();
    const document = (await server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
    };
    expect(Object.keys(document.paths['/api/v1/session']!.post!.responses).sort()).toEqual(['201', '400', '401', '413', '415', '429']);
    expect(document.paths['/api/v1/session']!.delete!.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(document.paths['/api/v1/me']!.get!.responses).sort()).toEqual(['200', '401']);
  });

  it('every error it answers comes from the catalogue', async () => {
    await start();
    const response = await signInRequest(server.app, { username: 'x', password: 'y' });
    const code = (response.json() as { error: { code: string } }).error.code;
    expect(Object.keys(ERROR_CATALOGUE)).toContain(code);
  });
});

describe.each(kinds)('POST /session with arbitrary bodies on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(kind);
    await seedUser(server.deps.db, 'jsmith', server.clock.now());
  });
  afterAll(async () => server?.close());

  function expectClientError(response: LightMyRequestResponse, allowed: number[] = [400, 401, 413, 415, 429]): string {
    expect(allowed, `${response.statusCode}: ${response.body}`).toContain(response.statusCode);
    const body = response.json() as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(ERROR_CATALOGUE)).toContain(body.error.code);
    expect(typeof body.error.message).toBe('string');
    return body.error.code;
  }

  it('answers any JSON value with a 4xx in the error shape, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        expectClientError(await signInRequest(server.app, JSON.stringify(value)));
      }),
      { numRuns: 150 },
    );
  });

  it('answers objects with arbitrary username and password values with a 4xx in the error shape', async () => {
    const anything = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
    await fc.assert(
      fc.asyncProperty(fc.record({ username: anything, password: anything }, { requiredKeys: [] }), async (body) => {
        expectClientError(await signInRequest(server.app, body));
      }),
      { numRuns: 40 },
    );
  });

  it('answers every username with a domain with 400 username_includes_domain', async () => {
    const part = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/);
    const withDomain = fc.oneof(
      fc.tuple(part, part).map(([domain, user]) => `${domain}\\${user}`),
      fc.tuple(part, part).map(([user, domain]) => `${user}@${domain}`),
      fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([a, b]) => `${a}@${b}`).filter((u) => u.trim() !== '' && u.length <= 256),
    );
    const countFailures = async () =>
      Number((await server.deps.db.selectFrom('sign_in_failures').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await countFailures();
    await fc.assert(
      fc.asyncProperty(withDomain, fc.string({ minLength: 1, maxLength: 50 }), async (username, password) => {
        const code = expectClientError(await signInRequest(server.app, { username, password }), [400]);
        expect(code).toBe('username_includes_domain');
      }),
      { numRuns: 100 },
    );
    expect(await countFailures()).toBe(before);
  });

  it('answers huge strings with 400 validation_failed or 413, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1025, maxLength: 100_000 }), fc.boolean(), async (huge, inUsername) => {
        const body = inUsername ? { username: huge, password: 'x' } : { username: 'jsmith', password: huge };
        const code = expectClientError(await signInRequest(server.app, body), [400, 413]);
        expect(['validation_failed', 'payload_too_large']).toContain(code);
      }),
      { numRuns: 40 },
    );
  });

  it('answers bodies that are not JSON with invalid_json or unsupported_media_type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml'), async (text, type) => {
        const response = await server.app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': type }, payload: text });
        expectClientError(response);
      }),
      { numRuns: 80 },
    );
  });
});
