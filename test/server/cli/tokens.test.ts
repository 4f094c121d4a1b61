import { afterEach, describe, expect, it } from 'vitest';
import type { ServerDeps } from '../../../src/server/deps.js';
import { authenticateBearer } from '../../../src/server/http/authenticate.js';
import { sha256Hex } from '../../../src/server/ids.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { seedUser } from '../directory/helpers.js';
import { openCliDatabase, runCli, type CliDatabase } from './directory-cli-support.js';

const kinds = await availableDatabaseKinds();
const DAY = 86_400_000;

describe.each(kinds)('ncs-server tokens on %s', (kind) => {
  let database: CliDatabase;
  afterEach(async () => database?.close());

  function authenticate(token: string, at: Date = new Date()) {
    return authenticateBearer({ db: database.db, now: () => at } as ServerDeps, `Bearer ${token}`);
  }

  async function createToken(args: string[] = []): Promise<{ token: string; stderr: string }> {
    const result = await runCli(database.cliEnv, ['tokens', 'create', '--user', 'jsmith', '--name', 'nightly check', ...args]);
    expect(result.exitCode, result.stderr).toBe(0);
    return { token: result.stdout.trim(), stderr: result.stderr };
  }

  it('tokens create prints the token alone on stdout, once, valid 90 days, and stores only its hash', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', new Date());
    const before = Date.now();
    const { token, stderr } = await createToken();
    expect(token).toMatch(/^ncs_t_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toMatch(/Created API token tok_\w+ "nightly check" for jsmith, valid until .*it cannot be shown again/);
    expect(stderr).not.toContain(token);
    const row = await database.db.selectFrom('auth_tokens').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'api', name: 'nightly check', username_key: 'jsmith', token_hash: sha256Hex(token) });
    const lifetime = Date.parse(row.expires_at) - Date.parse(row.created_at);
    expect(lifetime).toBe(90 * DAY);
    expect(Date.parse(row.created_at)).toBeGreaterThanOrEqual(before - 1000);
    await expect(authenticate(token)).resolves.toMatchObject({ username: 'jsmith', tokenKind: 'api' });
    const audit = await database.db.selectFrom('audit_log').selectAll().execute();
    expect(audit).toMatchObject([{ action: 'api_token_created', actor: 'ncs-server:opsadmin' }]);
    expect(JSON.stringify(audit)).not.toContain(token.slice(6));
  });

  it('tokens create --expires-in 30d sets a 30-day lifetime, and the token is refused once expired', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', new Date());
    const { token } = await createToken(['--expires-in', '30d']);
    const row = await database.db.selectFrom('auth_tokens').selectAll().executeTakeFirstOrThrow();
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(30 * DAY);
    await expect(authenticate(token, new Date(Date.parse(row.expires_at) - 1000))).resolves.toMatchObject({ username: 'jsmith' });
    await expect(authenticate(token, new Date(row.expires_at))).rejects.toMatchObject({ code: 'session_expired' });
  });

  it.each(['forever', '0d', '400d', '90'])('tokens create --expires-in %s is a usage error naming the accepted forms', async (lifetime) => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', new Date());
    const result = await runCli(database.cliEnv, ['tokens', 'create', '--user', 'jsmith', '--name', 'x', '--expires-in', lifetime]);
    expect(result).toMatchObject({ exitCode: 2, stdout: '' });
    expect(result.stderr).toMatch(/45m, 12h or 90d/);
    expect(await database.db.selectFrom('auth_tokens').selectAll().execute()).toEqual([]);
  });

  it('tokens create for an unknown user fails with exit 1 and prints no token', async () => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['tokens', 'create', '--user', 'ghost', '--name', 'x']);
    expect(result).toMatchObject({ exitCode: 1, stdout: '' });
    expect(result.stderr).toContain('There is no NCS user "ghost"');
  });

  it('tokens list shows id, user, name, times and status, never the token; --json the same as data', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', new Date());
    const { token } = await createToken();
    const table = await runCli(database.cliEnv, ['tokens', 'list']);
    expect(table.exitCode).toBe(0);
    const [header, line] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+USER\s+NAME\s+CREATED\s+EXPIRES\s+LAST USED\s+STATUS$/);
    expect(line).toMatch(/^tok_\w+\s+jsmith\s+nightly check\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+\S+\s+-\s+active$/);
    const json = await runCli(database.cliEnv, ['tokens', 'list', '--json']);
    const listed = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(listed).toMatchObject([{ username: 'jsmith', name: 'nightly check', lastUsedAt: null, revokedAt: null, status: 'active' }]);
    expect(Object.keys(listed[0]!).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'status', 'username']);
    for (const output of [table.stdout, table.stderr, json.stdout, json.stderr]) expect(output).not.toContain(token.slice(6));
  });

  it('tokens revoke ID revokes the token, which is then refused, and says so again on a second revoke', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', new Date());
    const { token } = await createToken();
    const [listed] = JSON.parse((await runCli(database.cliEnv, ['tokens', 'list', '--json'])).stdout) as { id: string }[];
    const revoked = await runCli(database.cliEnv, ['tokens', 'revoke', listed!.id]);
    expect(revoked.exitCode).toBe(0);
    expect(revoked.stderr).toContain(`Revoked API token ${listed!.id} "nightly check" of jsmith.`);
    await expect(authenticate(token)).rejects.toMatchObject({ code: 'session_expired' });
    const again = await runCli(database.cliEnv, ['tokens', 'revoke', listed!.id]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('was already revoked');
    const status = JSON.parse((await runCli(database.cliEnv, ['tokens', 'list', '--json'])).stdout) as { status: string }[];
    expect(status[0]!.status).toBe('revoked');
    const actions = await database.db.selectFrom('audit_log').select('action').orderBy('at').orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['api_token_created', 'api_token_revoked']);
  });

  it('tokens revoke with an unknown id fails with exit 1 and points to tokens list', async () => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['tokens', 'revoke', 'tok_unknown']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('`ncs-server tokens list` shows the ids');
  });

  it('tokens list does not show sessions', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', new Date());
    const { createSession } = await import('../../../src/server/directory/index.js');
    await createSession(database.db, 'jsmith', new Date());
    const json = await runCli(database.cliEnv, ['tokens', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });
});
