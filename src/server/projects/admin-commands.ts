// What the `ncs-server projects …` commands do, apart from their declaration: parse arguments, call the project
// functions, print data to stdout and messages to stderr, and turn admin-fixable failures into one line and an exit code.
import { readFile } from 'node:fs/promises';
import { STATUS_LABELS, parseStatusFilter, type ProjectItem } from '../../core/index.js';
import { AdminError, type AdminContext } from '../cli/context.js';
import { ImportError, ProjectExistsError, ProjectInputError, ProjectNotFoundError } from './errors.js';
import { queryProjectPage } from './list-query.js';
import { addProject, setBallInCourt } from './project-admin.js';
import { importTrimbleProjects } from './trimble-import.js';
import { parseBicArgument, type BicInput } from './validation.js';

/** Exit codes: 2 for input the admin must correct (values, files, taken numbers), 1 for a project that does not exist. */
const EXIT_INPUT = 2;
const EXIT_NOT_FOUND = 1;

function bicArguments(values: string[]): BicInput[] {
  const entries: BicInput[] = [];
  const problems: string[] = [];
  for (const value of values) {
    const parsed = parseBicArgument(value);
    if ('problem' in parsed) problems.push(parsed.problem);
    else entries.push(parsed);
  }
  if (problems.length > 0) throw new AdminError(problems.join('; '), EXIT_INPUT);
  return entries;
}

async function asAdminErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ProjectInputError) throw new AdminError(error.problems.join('; '), EXIT_INPUT);
    if (error instanceof ProjectExistsError) throw new AdminError(error.message, EXIT_INPUT);
    if (error instanceof ProjectNotFoundError) throw new AdminError(error.message, EXIT_NOT_FOUND);
    throw error;
  }
}

function statusLine(item: ProjectItem): string {
  return `${STATUS_LABELS[item.status]}${item.reason ? ` (${item.reason})` : ''}`;
}

export async function addProjectCommand(
  ctx: AdminContext,
  flags: { number: string; name: string; company: string; procoreProject: string; bic: string[] },
): Promise<void> {
  const ballInCourt = bicArguments(flags.bic);
  const db = await ctx.openDb();
  const item = await asAdminErrors(() =>
    addProject(db, { number: flags.number, name: flags.name, companyId: flags.company, projectId: flags.procoreProject, ballInCourt }, ctx.now()),
  );
  ctx.io.stdout.write(`${item.id}\n`);
  ctx.io.stderr.write(`Added project ${item.number} "${item.name}" (${item.id}): ${statusLine(item)}.\n`);
}

export async function setBallInCourtCommand(ctx: AdminContext, number: string, assignments: string[]): Promise<void> {
  const ballInCourt = bicArguments(assignments);
  const db = await ctx.openDb();
  const item = await asAdminErrors(() => setBallInCourt(db, number, ballInCourt, ctx.now()));
  const names = item.ballInCourt.map((entry) => `${entry.username} (${entry.procoreLogin})`).join(', ');
  ctx.io.stderr.write(`Ball-in-court of ${item.number}: ${names}. Status: ${statusLine(item)}.\n`);
}

export async function listProjectsCommand(ctx: AdminContext, flags: { status?: string; json?: boolean }): Promise<void> {
  const status = flags.status === undefined ? undefined : parseStatusFilter(flags.status);
  if (flags.status !== undefined && status === undefined) {
    throw new AdminError(`--status must be connected, lost or degraded, not "${flags.status}".`, EXIT_INPUT);
  }
  const db = await ctx.openDb();
  const page = await queryProjectPage(db, { scope: { all: true }, status });
  if (flags.json) {
    ctx.io.stdout.write(`[${page.itemsJson}]\n`);
    return;
  }
  const items = JSON.parse(`[${page.itemsJson}]`) as ProjectItem[];
  if (items.length === 0) {
    ctx.io.stderr.write(status ? `No project is ${STATUS_LABELS[status]}.\n` : 'No projects yet. Add one with `ncs-server projects add` or `projects import-trimble`.\n');
    return;
  }
  ctx.io.stdout.write(
    formatTable(
      ['NUMBER', 'NAME', 'STATUS', 'REASON', 'BALL-IN-COURT', 'LAST SYNC'],
      items.map((item) => [
        item.number,
        item.name,
        STATUS_LABELS[item.status],
        item.reason ?? '',
        item.ballInCourt.map((entry) => entry.procoreLogin).join(', '),
        item.lastSyncAt ?? 'never',
      ]),
    ),
  );
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export async function importTrimbleCommand(ctx: AdminContext, fileName: string): Promise<void> {
  let content: string;
  try {
    content = await readFile(fileName, 'utf8');
  } catch (error) {
    throw new AdminError(`cannot read ${fileName}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT_INPUT);
  }
  const db = await ctx.openDb();
  try {
    const result = await importTrimbleProjects(db, { fileName, content }, ctx.now(), { actor: 'ncs-server projects import-trimble' });
    for (const project of result.projects) ctx.io.stdout.write(`${project.number}\t${project.id}\n`);
    ctx.io.stderr.write(
      `Imported ${result.imported} ${result.imported === 1 ? 'project' : 'projects'} from ${fileName}; ` +
        'each shows Connection Lost (migrated_from_trimble) until one of its ball-in-court accounts reconnects.\n',
    );
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    for (const problem of error.problems) ctx.io.stderr.write(`${error.describe(problem)}\n`);
    throw new AdminError(
      `nothing was imported: ${error.problems.length} ${error.problems.length === 1 ? 'problem' : 'problems'} in ${fileName} (listed above).`,
      EXIT_INPUT,
    );
  }
}
