// `ncs-server tokens …` declarations; the behaviour lives in src/server/directory/admin/tokens.ts, loaded when a command runs.
import type { Command } from 'commander';
import type { Runner } from './main.js';

const behaviour = () => import('../directory/admin/tokens.js');

export function registerTokenCommands(program: Command, run: Runner): void {
  const tokens = program.command('tokens').description('Manage API tokens (ncs_t_…) for automation.');

  tokens
    .command('create')
    .description('Create an API token; it is printed once, on stdout, and never again.')
    .requiredOption('--user <user>', 'the NCS user the token acts as')
    .requiredOption('--name <name>', 'what the token is for, e.g. "nightly-check"')
    .option('--expires-in <duration>', 'lifetime: minutes, hours or days, e.g. 12h, 30d (at most 365d)', '90d')
    .action(
      run(async (ctx, flags: { user: string; name: string; expiresIn: string }) =>
        (await behaviour()).createToken(ctx, { username: flags.user, name: flags.name, expiresIn: flags.expiresIn }),
      ),
    );

  tokens
    .command('list')
    .description('List API tokens (never the token itself).')
    .option('--user <user>', "only this user's tokens")
    .option('--json', 'print JSON')
    .action(
      run(async (ctx, flags: { user?: string; json?: boolean }) =>
        (await behaviour()).printTokens(ctx, { json: flags.json === true, username: flags.user }),
      ),
    );

  tokens
    .command('revoke <id>')
    .description('Revoke an API token by the id `tokens list` shows.')
    .action(run(async (ctx, id: string) => (await behaviour()).revokeToken(ctx, { id })));
}
