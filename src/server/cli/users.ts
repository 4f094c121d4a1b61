// `ncs-server users …` declarations; the behaviour lives in src/server/directory/admin/users.ts, loaded when a command runs.
import type { Command } from 'commander';
import type { Runner } from './main.js';

const behaviour = () => import('../directory/admin/users.js');

export function registerUserCommands(program: Command, run: Runner): void {
  const users = program
    .command('users')
    .description('Manage NCS users (the local directory) and their roles.')
    .addHelpText('after', '\nPasswords are prompted (twice, without echo) on a terminal, else read from the first line of stdin; at least 8 characters.');

  users
    .command('add <user>')
    .description('Add a user (the domain username without the domain, e.g. jsmith).')
    .requiredOption('--display-name <name>', 'the name shown for the user')
    .option('--global-admin', 'make the user a Global Admin')
    .action(
      run(async (ctx, username: string, flags: { displayName: string; globalAdmin?: boolean }) =>
        (await behaviour()).addUser(ctx, { username, displayName: flags.displayName, globalAdmin: flags.globalAdmin === true }),
      ),
    );

  users
    .command('passwd <user>')
    .description("Set a user's password (ends their sessions; API tokens stay).")
    .action(run(async (ctx, username: string) => (await behaviour()).changePassword(ctx, { username })));

  users
    .command('rename <user>')
    .description("Change a user's display name.")
    .requiredOption('--display-name <name>', 'the new display name')
    .action(
      run(async (ctx, username: string, flags: { displayName: string }) =>
        (await behaviour()).renameDisplayName(ctx, { username, displayName: flags.displayName }),
      ),
    );

  users
    .command('remove <user>')
    .description('Remove a user, revoking their sessions, API tokens and Project Admin grants.')
    .action(run(async (ctx, username: string) => (await behaviour()).deleteUser(ctx, { username })));

  users
    .command('list')
    .description('List users with their roles.')
    .option('--json', 'print JSON')
    .action(run(async (ctx, flags: { json?: boolean }) => (await behaviour()).printUsers(ctx, { json: flags.json === true })));

  users
    .command('grant <user> <role> [projects...]')
    .description('Grant global-admin, or project-admin on project numbers: `grant jdoe project-admin P-1001 P-1002`.')
    .action(
      run(async (ctx, username: string, role: string, projectNumbers: string[]) =>
        (await behaviour()).changeRole(ctx, { username, role, projectNumbers, grant: true }),
      ),
    );

  users
    .command('revoke <user> <role> [projects...]')
    .description('Revoke global-admin, or project-admin on project numbers.')
    .action(
      run(async (ctx, username: string, role: string, projectNumbers: string[]) =>
        (await behaviour()).changeRole(ctx, { username, role, projectNumbers, grant: false }),
      ),
    );
}
