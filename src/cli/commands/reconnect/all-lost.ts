// `ncs reconnect --all-lost` (SPEC 6.1): one Procore sign-in per ball-in-court account, for every lost project a sign-in can fix.
import type { ProjectItem } from '../../../core/api.js';
import { REASONS_NEEDING_SIGN_IN } from '../../../core/reasons.js';
import type { NcsApiClient } from '../../api/client.js';
import { CliError, EXIT, type ExitCode } from '../../errors.js';
import { println } from '../../io.js';
import { printJson } from '../../output/text.js';
import { asCliError, reportError } from '../../report.js';
import { signInAndPush } from './flow.js';
import type { ReconnectOptions } from './reconnect.js';

export interface AllLostResult {
  /** The Procore login signed in as (lower case: the group's key). */
  account: string;
  project: string;
  /** `restored`, `not_restored` (the account came back but this project did not), or the error code. */
  outcome: string;
  /** Numbers of the projects this sign-in restored (visible ones). */
  restored: string[];
}

export interface AccountGroup {
  account: string;
  projects: ProjectItem[];
}

/**
 * The account whose sign-in fixes a project: the first in BIC order whose result needs a sign-in
 * (else the first BIC account).
 */
export function signInAccountOf(item: ProjectItem): string | undefined {
  for (const entry of item.ballInCourt) {
    const account = item.accounts.find((candidate) => candidate.login.toLowerCase() === entry.procoreLogin.toLowerCase());
    if (account && REASONS_NEEDING_SIGN_IN.includes(account.reason)) return entry.procoreLogin.toLowerCase();
  }
  return (item.ballInCourt[0]?.procoreLogin ?? item.accounts[0]?.login)?.toLowerCase();
}

/** Lost projects by account, in project-number order; `permission_denied` ones (no sign-in fixes them) apart. */
export function groupLostProjects(lost: readonly ProjectItem[]): { groups: AccountGroup[]; leftOut: ProjectItem[] } {
  const groups = new Map<string, AccountGroup>();
  const leftOut: ProjectItem[] = [];
  for (const item of lost) {
    const account = item.reason === 'permission_denied' ? undefined : signInAccountOf(item);
    if (account === undefined) {
      leftOut.push(item);
      continue;
    }
    const group = groups.get(account) ?? { account, projects: [] };
    group.projects.push(item);
    groups.set(account, group);
  }
  return { groups: [...groups.values()], leftOut };
}

/** A failure after which the next group cannot fare better: stop there. */
function stopsTheRun(error: CliError): boolean {
  return (
    error.code === 'interrupted' ||
    error.code === 'loopback_port_busy' ||
    ([EXIT.bug, EXIT.usage, EXIT.auth, EXIT.unreachable, EXIT.interrupted] as ExitCode[]).includes(error.exitCode)
  );
}

/** 0 when every sign-in restored its projects; else 7 or 9 when the NCS server or Procore could not be reached, else 6. */
export function allLostExitCode(failures: readonly CliError[], notRestored: number): number {
  if (failures.some((error) => error.exitCode === EXIT.unreachable)) return EXIT.unreachable;
  if (failures.some((error) => error.exitCode === EXIT.tryLater)) return EXIT.tryLater;
  return failures.length > 0 || notRestored > 0 ? EXIT.refused : EXIT.ok;
}

export async function reconnectAllLost(options: ReconnectOptions & { interrupt: AbortSignal }): Promise<number> {
  const { context } = options;
  const { io } = context;
  const client: NcsApiClient = await context.apiClient();
  const { groups, leftOut } = groupLostProjects(await client.listAllProjects({ status: 'connection_lost' }));

  for (const item of leftOut) {
    println(io.stderr, `Left out ${item.number} ${item.name}: ${item.reason === 'permission_denied' ? 'its Procore account lacks permission, which a sign-in does not fix' : 'it has no ball-in-court account'}; see \`ncs projects show ${item.number}\`.`);
  }
  if (groups.length === 0) {
    println(io.stderr, 'No lost project that a Procore sign-in can restore.');
    if (io.json) printJson(io, { results: [] });
    return EXIT.ok;
  }

  const results: AllLostResult[] = [];
  const failures: CliError[] = [];
  const restoredIds = new Set<string>();
  let stopped: CliError | undefined;
  let notRestored = 0;

  for (const [index, group] of groups.entries()) {
    const remaining = group.projects.filter((item) => !restoredIds.has(item.id));
    if (remaining.length === 0) continue; // an earlier sign-in brought them all back
    const [target, ...others] = remaining;
    const withOthers = others.length > 0 ? `, which should bring back ${others.map((item) => item.number).join(', ')} too` : '';
    try {
      const accepted = await signInAndPush({
        context,
        client,
        project: { ref: target.id, number: target.number, name: target.name, procore: target.procore },
        browser: options.browser,
        oob: options.oob,
        timeoutSeconds: options.timeoutSeconds,
        interrupt: options.interrupt,
        preamble: () => [
          '',
          `[${index + 1}/${groups.length}] Procore account ${group.account}: reconnecting ${target.number} ${target.name}${withOthers}.`,
          `If your browser is signed in to Procore as anyone else, sign out of Procore there first; then sign in as ${group.account}.`,
        ],
      });
      for (const item of accepted.restored) restoredIds.add(item.id);
      results.push({ account: group.account, project: target.number, outcome: 'restored', restored: accepted.restored.map((item) => item.number) });
      println(io.stderr, `Restored ${accepted.restored.map((item) => item.number).join(', ')}${accepted.restoredOther > 0 ? ` and ${accepted.restoredOther} you may not see` : ''}.`);
      // The account works again; a project it did not bring back has another problem, which a second sign-in would not fix.
      for (const item of others.filter((other) => !restoredIds.has(other.id))) {
        notRestored++;
        results.push({ account: group.account, project: item.number, outcome: 'not_restored', restored: [] });
        println(io.stderr, `${item.number} did not come back with ${group.account}; see \`ncs projects show ${item.number} --check\`.`);
      }
    } catch (err) {
      const error = asCliError(err);
      if (error.code === 'interrupted') throw error;
      // A sign-in refused for this project's permissions still brings back the account's other projects.
      const alsoRestored = error.code === 'permission_denied' && Array.isArray(error.details?.restored) ? (error.details.restored as ProjectItem[]) : [];
      for (const item of alsoRestored) restoredIds.add(item.id);
      results.push({ account: group.account, project: target.number, outcome: error.code, restored: alsoRestored.map((item) => item.number) });
      failures.push(error);
      // The reason, said now; the run goes on with the next account unless nothing could succeed.
      reportError(error, { stderr: io.stderr, colorStderr: io.colorStderr, json: io.json });
      if (stopsTheRun(error)) {
        stopped = error;
        break;
      }
    }
  }

  if (io.json) printJson(io, { results });
  else io.stdout.write(renderResults(results));
  if (stopped) return stopped.exitCode;
  return allLostExitCode(failures, notRestored);
}

export function renderResults(results: readonly AllLostResult[]): string {
  const accountWidth = Math.max('Account'.length, ...results.map((r) => r.account.length));
  const projectWidth = Math.max('Project'.length, ...results.map((r) => r.project.length));
  const outcomeWidth = Math.max('Outcome'.length, ...results.map((r) => r.outcome.length));
  const row = (a: string, p: string, o: string, r: string) => `${a.padEnd(accountWidth)}  ${p.padEnd(projectWidth)}  ${o.padEnd(outcomeWidth)}  ${r}`.trimEnd();
  return `${[row('Account', 'Project', 'Outcome', 'Restored'), ...results.map((r) => row(r.account, r.project, r.outcome, r.restored.join(', ')))].join('\n')}\n`;
}
