// The backend's verdict on a reconnect, told to the terminal and to the browser: what was restored, or why not and what to do.
import type { ProcoreTokenAccepted, ProjectItem } from '../../../core/api.js';
import { CliError, EXIT } from '../../errors.js';
import type { LoopbackPage } from '../../loopback/pages.js';
import type { Colors } from '../../output/colors.js';
import { colorStatus } from '../../output/projects.js';

export interface ProjectRef {
  ref: string;
  number: string;
  name: string;
  /** Procore's ids of the project, to name it in what to grant. */
  procore?: { companyId: string; projectId: string };
}

const TOOL_TEXT: Record<string, string> = { rfis: 'the RFIs tool', submittals: 'the Submittals tool' };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The restored projects as text lines for stdout (this project first, as the API orders them). */
export function renderAccepted(project: ProjectRef, accepted: ProcoreTokenAccepted, colors: Colors): string {
  const account = accepted.account.name ? `${accepted.account.login} (${accepted.account.name})` : accepted.account.login;
  const lines = [`Reconnected ${project.number} ${project.name}: NCS now uses the Procore account ${account}.`];
  lines.push(...restoredLines(accepted.restored, accepted.restoredOther, colors));
  return `${lines.join('\n')}\n`;
}

function restoredLines(restored: readonly ProjectItem[], restoredOther: number, colors: Colors): string[] {
  if (restored.length === 0 && restoredOther === 0) return [];
  const lines = [`Restored ${plural(restored.length + restoredOther, 'project')}:`];
  const numberWidth = Math.max(...restored.map((item) => item.number.length), 0);
  const nameWidth = Math.max(...restored.map((item) => item.name.length), 0);
  for (const item of restored) lines.push(`  ${item.number.padEnd(numberWidth)}  ${item.name.padEnd(nameWidth)}  ${colorStatus(colors, item.status)}`);
  if (restoredOther > 0) lines.push(`  and ${plural(restoredOther, 'project')} you may not see`);
  return lines;
}

export function acceptedPage(project: ProjectRef, accepted: ProcoreTokenAccepted): LoopbackPage {
  const others = accepted.restored.filter((item) => item.number !== project.number).map((item) => `${item.number} ${item.name}`);
  const otherCount = others.length + accepted.restoredOther;
  return {
    title: 'Procore connection restored',
    tone: 'success',
    paragraphs: [
      `${project.number} ${project.name} is connected to Procore again, through the account ${accepted.account.login}.`,
      ...(otherCount > 0 ? [`Also restored: ${[...others, ...(accepted.restoredOther > 0 ? [plural(accepted.restoredOther, 'other project')] : [])].join(', ')}.`] : []),
      'You can close this tab and return to the terminal.',
    ],
  };
}

export function refusalPage(error: CliError): LoopbackPage {
  return {
    title: error.exitCode === EXIT.tryLater ? 'Try again later' : 'NCS did not accept this sign-in',
    tone: 'failure',
    paragraphs: [error.message, 'The terminal says what to do next. You can close this tab.'],
  };
}

interface AccountMismatchDetails {
  signedIn?: { id?: string; login?: string };
  expected?: string[];
}

interface PermissionDeniedDetails {
  missing?: string[];
  restored?: ProjectItem[];
  restoredOther?: number;
  account?: { login?: string };
}

const again = (project: ProjectRef) => `ncs reconnect ${project.number}`;

/**
 * Re-words the refusals of `POST /procore-token` for the person at the terminal (SPEC 6.2 item 6):
 * the code, exit code and details stay as the server sent them.
 */
export function explainRefusal(error: unknown, project: ProjectRef): unknown {
  if (!(error instanceof CliError)) return error;
  const keep = { exitCode: error.exitCode, httpStatus: error.httpStatus, details: error.details, retryAfterSeconds: error.retryAfterSeconds, cause: error };
  switch (error.code) {
    case 'account_mismatch': {
      const details = (error.details ?? {}) as AccountMismatchDetails;
      const who = details.signedIn?.login ?? 'an account';
      const expected = details.expected ?? [];
      const wanted = expected.length === 0 ? "the project's ball-in-court account" : expected.length === 1 ? expected[0] : `one of ${expected.join(', ')}`;
      return new CliError(error.code, {
        ...keep,
        message: `Wrong Procore account: you signed in to Procore as ${who}, but ${project.number} needs ${wanted}. Nothing was changed.`,
        hint: `Sign out of Procore in the browser (on Procore's page: "Not you? Sign out"), then run \`${again(project)}\` and sign in as ${expected[0] ?? 'the ball-in-court account'}.`,
      });
    }
    case 'permission_denied': {
      const details = (error.details ?? {}) as PermissionDeniedDetails;
      const login = details.account?.login ?? 'The Procore account';
      const missing = details.missing ?? [];
      const tools = missing.filter((what) => what !== 'project').map((what) => TOOL_TEXT[what] ?? what);
      const procoreProject = `"${project.name}"${project.procore ? ` (Procore project ${project.procore.projectId}, company ${project.procore.companyId})` : ''}`;
      const noProject = missing.includes('project') || tools.length === 0;
      const restored = (details.restored ?? []).filter((item) => item.number !== project.number).map((item) => item.number);
      const restoredOther = details.restoredOther ?? 0;
      const restoredText =
        restored.length + restoredOther > 0
          ? ` Its sign-in was stored and brought back ${[...restored, ...(restoredOther > 0 ? [plural(restoredOther, 'project you may not see', 'projects you may not see')] : [])].join(', ')}.`
          : ' Its sign-in was stored.';
      return new CliError(error.code, {
        ...keep,
        message: `Missing Procore permission: ${login} signed in, but in Procore it cannot reach ${noProject ? 'the project' : tools.join(' and ')} of ${project.number} ${project.name}.${restoredText}`,
        hint: noProject
          ? `In Procore, a company or project admin must add ${login} to the project ${procoreProject} with Standard or Admin permission on its RFIs and Submittals tools; then run \`ncs projects show ${project.number} --check\`.`
          : `In Procore, a project admin of ${procoreProject} must give ${login} Standard or Admin permission on ${tools.join(' and ')}; then run \`ncs projects show ${project.number} --check\`.`,
      });
    }
    case 'attempt_invalid':
    case 'authorization_code_rejected':
      return new CliError(error.code, { ...keep, message: error.message, hint: `Nothing was changed; run \`${again(project)}\` again.` });
    default:
      return error;
  }
}
