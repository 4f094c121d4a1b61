// `ncs projects list|show|check`: declarations only; behaviour is loaded inside each action.
import { Command, Option } from 'commander';
import { parseStatusFilter } from '../../../core/status.js';
import { examples, lazyAction, type RunState } from '../../command-kit.js';
import type { Factory } from '../../factory.js';
import type { CheckOptions } from './check.js';
import type { ListOptions } from './list.js';
import type { ShowOptions } from './show.js';

export function projectsCommand(factory: Factory, state: RunState): Command {
  const projects = new Command('projects').description('List projects, explain their connection and check them');

  projects
    .command('list')
    .description('List the projects you may see, with their Procore connection status')
    .addOption(new Option('--status <status>', 'only projects with this status').choices(['connected', 'lost', 'degraded']))
    .addHelpText(
      'after',
      examples(
        'ncs projects list',
        'ncs projects list --status lost',
        'ncs projects list --json | jq -r \'.[] | select(.status != "connected") | .number\'',
      ),
    )
    .action(
      lazyAction<ListOptions>(
        factory,
        state,
        'projects list',
        (context, flags) => ({ context, status: typeof flags.status === 'string' ? parseStatusFilter(flags.status) : undefined }),
        async () => (await import('./list.js')).listProjects,
      ),
    );

  projects
    .command('show')
    .description('Explain a project\'s connection: what broke, who must act, and how to fix it')
    .argument('<project>', 'project number, NCS id (prj_…), or an unambiguous part of the name')
    .option('--check', 'run the server\'s live checks of every ball-in-court account first')
    .addHelpText('after', examples('ncs projects show P-1002', 'ncs projects show "civic lib" --check', 'ncs projects show prj_abcdefghijklmnopqrst --json'))
    .action(
      lazyAction<ShowOptions>(
        factory,
        state,
        'projects show',
        (context, flags, [project]) => ({ context, project: project!, check: flags.check === true }),
        async () => (await import('./show.js')).showProject,
      ),
    );

  projects
    .command('check')
    .description('Summarise the connection of every visible project, for monitoring (exit 8 when any is not connected)')
    .addHelpText(
      'after',
      `${examples('ncs projects check', 'ncs projects check --json', 'ncs projects check >/dev/null || echo "some projects need attention"')}
Exit status: 0 when every visible project is connected (also when none is visible), 8 when any is lost or degraded.
`,
    )
    .action(
      lazyAction<CheckOptions>(
        factory,
        state,
        'projects check',
        (context) => ({ context }),
        async () => (await import('./check.js')).checkProjects,
      ),
    );

  return projects;
}
