// `ncs projects list`: every page of the caller's projects, as a table or as the API's JSON items.
import type { ProjectItem, ProjectStatus } from '../../../core/index.js';
import type { CommandContext } from '../../factory.js';
import { println } from '../../io.js';
import { loadColors } from '../../output/colors.js';
import { renderProjectTable, statusLabel } from '../../output/projects.js';
import { printJson } from '../../output/text.js';

export interface ListOptions {
  context: CommandContext;
  status?: ProjectStatus;
}

/** The table's width: 80 columns, or the terminal's when it is wider (capped, so lines stay readable). */
export function tableWidth(context: Pick<CommandContext, 'io'>): number {
  const columns = context.io.stdoutIsTTY ? context.io.columns : undefined;
  return columns && columns > 80 ? Math.min(columns, 160) : 80;
}

export async function listProjects(options: ListOptions): Promise<void> {
  const { context } = options;
  const { io } = context;
  const client = await context.apiClient();
  const items = await client.listAllProjects({ status: options.status });
  if (io.json) {
    printJson(io, items);
    return;
  }
  if (items.length === 0) {
    println(io.stderr, options.status ? `No visible project is ${statusLabel(options.status)}.` : 'No projects are visible to you on this server.');
    return;
  }
  const colors = await loadColors(io.colorStdout);
  io.stdout.write(await renderProjectTable(items, { width: tableWidth(context), colors, now: context.clock.now() }));
  println(io.stderr, countLine(items));
}

function countLine(items: readonly ProjectItem[]): string {
  const counts = new Map<ProjectStatus, number>();
  for (const item of items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  const parts = [...counts].map(([status, count]) => `${count} ${statusLabel(status).toLowerCase()}`);
  return `${items.length} project${items.length === 1 ? '' : 's'}: ${parts.join(', ')}.`;
}
