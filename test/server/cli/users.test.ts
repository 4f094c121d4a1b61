import { afterEach, describe, expect, it } from 'vitest';
import { createApiToken, createSession, verifyPassword } from '../../../src/server/directory/index.js';
import { availableDatabaseKinds } from '../../support/databases.js';
import { seedProject, seedUser } from '../directory/helpers.js';
import { fakeTerminal, openCliDatabase, runCli, stdinLines, type CliDatabase } from './directory-cli-support.js';

const kinds = await availableDatabaseKinds();

describe.each(kinds)('ncs-server users on %s', (kind) => {
  let database: CliDatabase;
  afterEach(async () => database?.close());
  const now = new Date();

  async function userRow(key: string) {
    return database.db.selectFrom('users').selectAll().where('username_key', '=', key).executeTakeFirst();
  }

  it('users add reads the password from the first line of stdin and stores only its scrypt hash', async () => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['users', 'add', 'JSmith', '--display-name', 'John Smith', '--global-admin'], stdinLines('long enough pw', 'ignored'));
    expect(result).toMatchObject({ exitCode: 0, stdout: '' });
    expect(result.stderr).toContain('Added JSmith ("John Smith") as a Global Admin');
    const row = await userRow('jsmith');
    expect(row).toMatchObject({ username: 'JSmith', display_name: 'John Smith', is_global_admin: 1 });
    expect(row!.password_hash).not.toContain('long enough pw');
    expect(await verifyPassword('long enough pw', row!.password_hash)).toBe(true);
    const audit = await database.db.selectFrom('audit_log').selectAll().execute();
    expect(audit).toMatchObject([{ actor: 'ncs-server:opsadmin', action: 'user_added' }]);
    expect(JSON.stringify(audit)).not.toContain('long enough pw');
  });

  it('users add accepts a password ending in CRLF as piped from Windows tools', async () => {
    database = await openCliDatabase(kind);
    await runCli(database.cliEnv, ['users', 'add', 'jsmith', '--display-name', 'J'], stdinLines('long enough pw\r'));
    expect(await verifyPassword('long enough pw', (await userRow('jsmith'))!.password_hash)).toBe(true);
  });

  it('users add on a terminal prompts twice without echo and never prints the password', async () => {
    database = await openCliDatabase(kind);
    const terminal = fakeTerminal();
    // Typed with a mistake corrected by backspace, and an arrow key that must be ignored.
    terminal.type('secret-passX\u007f\u001b[Dword\r');
    terminal.type('secret-password\r');
    const result = await runCli(database.cliEnv, ['users', 'add', 'jsmith', '--display-name', 'John'], terminal);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('New password for jsmith: ');
    expect(result.stderr).toContain('Repeat the password: ');
    expect(result.stderr + result.stdout).not.toContain('secret');
    expect(terminal.rawModes).toEqual([true, false, true, false]);
    expect(await verifyPassword('secret-password', (await userRow('jsmith'))!.password_hash)).toBe(true);
  });

  it('users add on a terminal refuses two different passwords and adds nobody', async () => {
    database = await openCliDatabase(kind);
    const terminal = fakeTerminal();
    terminal.type('first-password\rsecond-password\r');
    const result = await runCli(database.cliEnv, ['users', 'add', 'jsmith', '--display-name', 'John'], terminal);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('the two passwords differ');
    expect(await userRow('jsmith')).toBeUndefined();
  });

  it('users add stops with exit 130 on Ctrl-C at the prompt', async () => {
    database = await openCliDatabase(kind);
    const terminal = fakeTerminal();
    terminal.type('abc\u0003');
    const result = await runCli(database.cliEnv, ['users', 'add', 'jsmith', '--display-name', 'John'], terminal);
    expect(result.exitCode).toBe(130);
    expect(terminal.rawModes.at(-1)).toBe(false);
    expect(await userRow('jsmith')).toBeUndefined();
  });

  it('users add refuses a password under 8 characters with a clear message', async () => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['users', 'add', 'jsmith', '--display-name', 'John'], stdinLines('short'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/too short: use at least 8 characters/);
    expect(await userRow('jsmith')).toBeUndefined();
  });

  it('users add with an empty stdin says how to give the password', async () => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['users', 'add', 'jsmith', '--display-name', 'John']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/no password on stdin/);
  });

  it.each(['DEMO\\jsmith', 'jsmith@demo'])('users add refuses the domain username %s, naming the allowed characters', async (username) => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['users', 'add', username, '--display-name', 'John'], stdinLines('long enough pw'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/includes a domain \(use "jsmith"\).*letters, digits, "\.", "_" and "-"/);
  });

  it('users add refuses an existing username in any case before asking for a password', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', now);
    const result = await runCli(database.cliEnv, ['users', 'add', 'JSMITH', '--display-name', 'John']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('"jsmith" already exists');
  });

  it('users add without --display-name is a usage error', async () => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['users', 'add', 'jsmith'], stdinLines('long enough pw'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--display-name');
  });

  it("users passwd sets the new password and ends the user's sessions", async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', now);
    await createSession(database.db, 'jsmith', now);
    const result = await runCli(database.cliEnv, ['users', 'passwd', 'JSmith'], stdinLines('another password'));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('ended 1 session');
    expect(await verifyPassword('another password', (await userRow('jsmith'))!.password_hash)).toBe(true);
    const session = await database.db.selectFrom('auth_tokens').select('revoked_at').executeTakeFirstOrThrow();
    expect(session.revoked_at).not.toBeNull();
  });

  it('users passwd for an unknown user fails with exit 1 naming the user', async () => {
    database = await openCliDatabase(kind);
    const result = await runCli(database.cliEnv, ['users', 'passwd', 'ghost'], stdinLines('another password'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('There is no NCS user "ghost"');
  });

  it('users remove revokes sessions and API tokens and Project Admin grants, and the BIC display name goes', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', now, { displayName: 'John Smith' });
    const projectId = await seedProject(database.db, 'P-1001', ['jsmith'], now);
    await database.db.insertInto('project_admins').values({ username_key: 'jsmith', project_id: projectId }).execute();
    await createSession(database.db, 'jsmith', now);
    await createApiToken(database.db, { username: 'jsmith', name: 'ci' }, now);
    const result = await runCli(database.cliEnv, ['users', 'remove', 'jsmith']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('revoked 2 session(s) and API token(s), 1 Project Admin grant(s)');
    expect(await userRow('jsmith')).toBeUndefined();
    const tokens = await database.db.selectFrom('auth_tokens').select('revoked_at').execute();
    expect(tokens.every((token) => token.revoked_at !== null)).toBe(true);
    expect(await database.db.selectFrom('project_admins').selectAll().execute()).toEqual([]);
    const project = await database.db.selectFrom('projects').select('item_json').executeTakeFirstOrThrow();
    expect(JSON.parse(project.item_json).ballInCourt[0]).toMatchObject({ username: 'jsmith', displayName: null });
  });

  it('users rename changes the display name shown in ball-in-court lists', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', now, { displayName: 'John Smith' });
    await seedProject(database.db, 'P-1001', ['jsmith'], now);
    const result = await runCli(database.cliEnv, ['users', 'rename', 'jsmith', '--display-name', 'Johnny Smith']);
    expect(result.exitCode).toBe(0);
    const project = await database.db.selectFrom('projects').select('item_json').executeTakeFirstOrThrow();
    expect(JSON.parse(project.item_json).ballInCourt[0].displayName).toBe('Johnny Smith');
  });

  it('users list prints a table, and --json the users with their roles', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'padmin', now, { displayName: 'Pat Admin' });
    await seedUser(database.db, 'gadmin', now, { displayName: 'Gail Admin', isGlobalAdmin: true });
    const projectId = await seedProject(database.db, 'P-1001', ['x'], now);
    await database.db.insertInto('project_admins').values({ username_key: 'padmin', project_id: projectId }).execute();
    const table = await runCli(database.cliEnv, ['users', 'list']);
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^USERNAME\s+DISPLAY NAME\s+GLOBAL ADMIN\s+PROJECT ADMIN OF\s+CREATED$/);
    expect(lines[1]).toMatch(/^gadmin\s+Gail Admin\s+yes\s+-\s+\d{4}-/);
    expect(lines[2]).toMatch(/^padmin\s+Pat Admin\s+no\s+P-1001\s+\d{4}-/);
    const json = await runCli(database.cliEnv, ['users', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { username: 'gadmin', displayName: 'Gail Admin', isGlobalAdmin: true, projectAdminOf: [], createdAt: now.toISOString() },
      { username: 'padmin', displayName: 'Pat Admin', isGlobalAdmin: false, projectAdminOf: ['P-1001'], createdAt: now.toISOString() },
    ]);
    expect(json.stdout + table.stdout).not.toContain('scrypt');
  });

  it('users grant project-admin resolves project numbers case-insensitively; revoke takes it back', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'padmin', now);
    await seedProject(database.db, 'P-1001', ['x'], now);
    await seedProject(database.db, 'P-1002', ['x'], now);
    const granted = await runCli(database.cliEnv, ['users', 'grant', 'PAdmin', 'project-admin', 'p-1001', 'P-1002']);
    expect(granted).toMatchObject({ exitCode: 0 });
    expect(granted.stderr).toContain('Project Admin granted on P-1001, P-1002');
    const again = await runCli(database.cliEnv, ['users', 'grant', 'padmin', 'project-admin', 'P-1001']);
    expect(again.stderr).toContain('already Project Admin of P-1001');
    const revoked = await runCli(database.cliEnv, ['users', 'revoke', 'padmin', 'project-admin', 'P-1002']);
    expect(revoked.stderr).toContain('Project Admin revoked on P-1002');
    const rows = await database.db.selectFrom('project_admins').innerJoin('projects', 'projects.id', 'project_admins.project_id').select('projects.number').execute();
    expect(rows).toEqual([{ number: 'P-1001' }]);
    const audit = await database.db.selectFrom('audit_log').select(['action', 'details']).orderBy('at').orderBy('id').execute();
    expect(audit.map((entry) => entry.action)).toEqual(['role_granted', 'role_revoked']);
  });

  it('users grant project-admin with an unknown project number names it and grants nothing', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'padmin', now);
    await seedProject(database.db, 'P-1001', ['x'], now);
    const result = await runCli(database.cliEnv, ['users', 'grant', 'padmin', 'project-admin', 'P-1001', 'P-4040']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('No project "P-4040"; nothing was changed.');
    expect(await database.db.selectFrom('project_admins').selectAll().execute()).toEqual([]);
  });

  it('users grant and revoke global-admin', async () => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', now);
    const granted = await runCli(database.cliEnv, ['users', 'grant', 'jsmith', 'global-admin']);
    expect(granted.exitCode, granted.stderr).toBe(0);
    expect((await userRow('jsmith'))!.is_global_admin).toBe(1);
    expect((await runCli(database.cliEnv, ['users', 'revoke', 'jsmith', 'global-admin'])).exitCode).toBe(0);
    expect((await userRow('jsmith'))!.is_global_admin).toBe(0);
  });

  it.each([
    [['users', 'grant', 'jsmith', 'superuser'], /"superuser" is not a role/],
    [['users', 'grant', 'jsmith', 'project-admin'], /needs one or more project numbers/],
    [['users', 'grant', 'jsmith', 'global-admin', 'P-1'], /global-admin takes no project numbers/],
  ])('users %j is a usage error', async (args, message) => {
    database = await openCliDatabase(kind);
    await seedUser(database.db, 'jsmith', now);
    const result = await runCli(database.cliEnv, args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
