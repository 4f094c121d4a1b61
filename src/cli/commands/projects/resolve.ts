// `<project>` on the command line: a project number, an NCS id, or an unambiguous case-insensitive part of the name.
import type { ProjectDetail, ProjectItem } from '../../../core/index.js';
import type { NcsApiClient } from '../../api/client.js';
import { CliError, EXIT } from '../../errors.js';

export interface ResolvedProject {
  /** What to put in `/projects/{ref}`: the NCS id. */
  ref: string;
  id: string;
  number: string;
  name: string;
  /** Present when resolution already fetched it (a direct number or id hit). */
  detail?: ProjectDetail;
}

const NCS_ID = /^prj_[a-z2-7]{20}$/i;
const PROJECT_NUMBER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const MAX_CANDIDATES_SHOWN = 10;

function fromItem(item: ProjectItem | ProjectDetail, detail?: ProjectDetail): ResolvedProject {
  return { ref: item.id, id: item.id, number: item.number, name: item.name, ...(detail ? { detail } : {}) };
}

const isNotFound = (err: unknown) => err instanceof CliError && err.exitCode === EXIT.notFound;

/**
 * Tries the input as a number or id first (one request, and the detail comes with it), then searches
 * with `?q=`: an exact number wins, then a single match, then a single exact name.
 */
export async function resolveProject(
  client: NcsApiClient,
  input: string,
  options: { /** The command the hint suggests again with a number, e.g. `ncs reconnect`. */ command?: string } = {},
): Promise<ResolvedProject> {
  const wanted = input.trim();
  if (!wanted) throw new CliError('usage', { message: 'Name a project: its number, its NCS id, or part of its name.' });

  if (NCS_ID.test(wanted) || PROJECT_NUMBER.test(wanted)) {
    try {
      const detail = await client.getProject(wanted);
      return fromItem(detail, detail);
    } catch (err) {
      if (!isNotFound(err) || NCS_ID.test(wanted)) throw err;
    }
  }

  const matches = await client.listAllProjects({ q: wanted });
  const lower = wanted.toLowerCase();
  const byNumber = matches.filter((item) => item.number.toLowerCase() === lower);
  if (byNumber.length === 1) return fromItem(byNumber[0]);
  if (matches.length === 1) return fromItem(matches[0]);
  const byName = matches.filter((item) => item.name.toLowerCase() === lower);
  if (byName.length === 1) return fromItem(byName[0]);

  if (matches.length === 0) {
    throw new CliError('project_not_found', {
      message: `No project matches "${wanted}", or you may not see it.`,
      hint: 'Run `ncs projects list` to see the projects you may see.',
      exitCode: EXIT.notFound,
    });
  }
  const shown = matches.slice(0, MAX_CANDIDATES_SHOWN).map((item) => `  ${item.number}  ${item.name}`);
  if (matches.length > MAX_CANDIDATES_SHOWN) shown.push(`  … and ${matches.length - MAX_CANDIDATES_SHOWN} more`);
  throw new CliError('ambiguous_project', {
    message: `"${wanted}" matches ${matches.length} projects:\n${shown.join('\n')}`,
    hint: `Use the project number, for example \`${options.command ?? 'ncs projects show'} ${matches[0].number}\`.`,
    details: { candidates: matches.map((item) => ({ id: item.id, number: item.number, name: item.name })) },
  });
}
