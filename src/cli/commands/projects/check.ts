// `ncs projects check`: a monitoring summary; exit 8 when any visible project is lost or degraded.
import type { ProjectItem } from '../../../core/index.js';
import { EXIT } from '../../errors.js';
import type { CommandContext } from '../../factory.js';
import { println } from '../../io.js';
import { loadColors } from '../../output/colors.js';
import { colorStatus, detailsText } from '../../output/projects.js';
import { printJson } from '../../output/text.js';

export interface CheckOptions {
  context: CommandContext;
}

export interface CheckReport {
  connected: number;
  lost: number;
  degraded: number;
  notConnected: ProjectItem[];
}

export async function checkProjects(options: CheckOptions): Promise<number> {
  const { context } = options;
  const { io } = context;
  const client = await context.apiClient();
  const summary = await client.projectSummary();
  const [lost, degraded] = await Promise.all([
    summary.lost > 0 ? client.listAllProjects({ status: 'connection_lost' }) : Promise.resolve([]),
    summary.degraded > 0 ? client.listAllProjects({ status: 'degraded' }) : Promise.resolve([]),
  ]);
  // The API orders by number in byte order; keep that order across both lists.
  const notConnected = [...lost, ...degraded].sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
  const report: CheckReport = { connected: summary.connected, lost: summary.lost, degraded: summary.degraded, notConnected };
  const total = summary.connected + summary.lost + summary.degraded;

  if (total === 0) println(io.stderr, `No projects are visible to you on ${client.origin}; nothing to check.`);
  if (io.json) printJson(io, report);
  else if (total > 0) {
    const colors = await loadColors(io.colorStdout);
    println(io.stdout, `${summary.connected} connected, ${summary.lost} connection lost, ${summary.degraded} degraded`);
    for (const item of notConnected) {
      const details = detailsText(item).split('\n').join('; ');
      println(io.stdout, `${item.number}  ${colorStatus(colors, item.status)}  ${item.name}${details ? ` — ${details}` : ''}`);
    }
    if (notConnected.length > 0) println(io.stderr, 'Run `ncs projects show <project>` for what to do.');
  }
  return summary.lost + summary.degraded > 0 ? EXIT.notConnected : EXIT.ok;
}
