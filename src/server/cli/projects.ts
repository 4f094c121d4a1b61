// `ncs-server projects add|set-bic|list|import-trimble`: declarations only; the behaviour loads when a command runs.
import type { Command } from 'commander';
import type { Runner } from './main.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerProjectCommands(program: Command, run: Runner): void {
  const projects = program.command('projects').description('Add, list and import projects; set their ball-in-court users.');

  projects
    .command('add')
    .description('Add a project; its ball-in-court accounts start as "no credential" until they sign in to Procore.')
    .argument('<number>', 'NPC project number, e.g. P-1001')
    .requiredOption('--name <name>', 'project name')
    .requiredOption('--company <id>', 'Procore company id')
    .requiredOption('--procore-project <id>', 'Procore project id')
    .option('--bic <user:login>', 'ball-in-court NPC username and Procore login; repeat in failover order', collect, [])
    .action(
      run(async (ctx, number: string, flags: { name: string; company: string; procoreProject: string; bic: string[] }) => {
        const { addProjectCommand } = await import('../projects/admin-commands.js');
        await addProjectCommand(ctx, { number, ...flags });
      }),
    );

  projects
    .command('set-bic')
    .description('Replace the ball-in-court users of a project (in failover order); accounts that stay keep their results.')
    .argument('<number>', 'NPC project number')
    .argument('<user:login...>', 'ball-in-court NPC username and Procore login, in failover order')
    .action(
      run(async (ctx, number: string, assignments: string[]) => {
        const { setBallInCourtCommand } = await import('../projects/admin-commands.js');
        await setBallInCourtCommand(ctx, number, assignments);
      }),
    );

  projects
    .command('list')
    .description('List every project with its connection status.')
    .option('--status <status>', 'connected, lost (connection_lost) or degraded')
    .option('--json', 'print a JSON array of the API\'s items')
    .action(
      run(async (ctx, flags: { status?: string; json?: boolean }) => {
        const { listProjectsCommand } = await import('../projects/admin-commands.js');
        await listProjectsCommand(ctx, flags);
      }),
    );

  projects
    .command('import-trimble')
    .description('Import projects migrated from the Trimble connector (CSV or JSON); all rows or none.')
    .argument('<file>', 'CSV with header number,name,companyId,projectId,bicUsernames,bicLogins, or a JSON array')
    .action(
      run(async (ctx, file: string) => {
        const { importTrimbleCommand } = await import('../projects/admin-commands.js');
        await importTrimbleCommand(ctx, file);
      }),
    );
}
