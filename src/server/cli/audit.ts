// `ncs-server audit …` declarations; the behaviour lives in src/server/directory/admin/audit.ts, loaded when a command runs.
import type { Command } from 'commander';
import type { Runner } from './main.js';

export function registerAuditCommands(program: Command, run: Runner): void {
  const audit = program.command('audit').description('Read the audit log (sign-ins, reconnects, token and role changes).');

  audit
    .command('list')
    .description('List audit entries, oldest first.')
    .option('--since <when>', 'a duration back from now (30m, 24h, 7d) or an ISO 8601 date or time')
    .option('--json', 'print JSON')
    .action(
      run(async (ctx, flags: { since?: string; json?: boolean }) =>
        (await import('../directory/admin/audit.js')).printAudit(ctx, { since: flags.since, json: flags.json === true }),
      ),
    );
}
