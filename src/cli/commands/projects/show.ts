// `ncs projects show`: what broke, who must act and the remedy; `--check` runs the server's live checks first.
import type { AccountCheck, ProjectDetail } from '../../../core/api.js';
import { REASON_TEXTS, REASONS_NEEDING_SIGN_IN } from '../../../core/reasons.js';
import type { CommandContext } from '../../factory.js';
import { loadColors, type Colors } from '../../output/colors.js';
import { accountAction, colorStatus } from '../../output/projects.js';
import { formatTimestamp, printJson, relativeTime, wrapText } from '../../output/text.js';
import { tableWidth } from './list.js';
import { resolveProject } from './resolve.js';

export interface ShowOptions {
  context: CommandContext;
  project: string;
  check: boolean;
}

export async function showProject(options: ShowOptions): Promise<void> {
  const { context } = options;
  const client = await context.apiClient();
  const resolved = await resolveProject(client, options.project);
  let checks: AccountCheck[] | undefined;
  let detail = resolved.detail;
  if (options.check) {
    checks = (await client.checkProject(resolved.ref)).checks;
    detail = await client.getProject(resolved.ref); // the checks may have changed the status
  }
  detail ??= await client.getProject(resolved.ref);

  if (context.io.json) {
    printJson(context.io, checks ? { ...detail, checks } : detail);
    return;
  }
  const colors = await loadColors(context.io.colorStdout);
  context.io.stdout.write(renderDetail(detail, checks, { colors, width: tableWidth(context), now: context.clock.now() }));
}

interface RenderSettings {
  colors: Colors;
  width: number;
  now: Date;
}

const LABEL_WIDTH = 14;
const yesNo = (value: boolean | null) => (value === null ? '–' : value ? 'yes' : 'no');

export function renderDetail(detail: ProjectDetail, checks: AccountCheck[] | undefined, settings: RenderSettings): string {
  const { colors, width, now } = settings;
  const out: string[] = [];
  const field = (label: string, value: string) => {
    const [first = '', ...rest] = wrapText(value, width - LABEL_WIDTH);
    out.push(`${label.padEnd(LABEL_WIDTH)}${first}`, ...rest.map((line) => `${' '.repeat(LABEL_WIDTH)}${line}`));
  };
  /** Wrapped text; `hang` indents the lines after the first (under a bullet or a step number). */
  const paragraph = (text: string, indent = '', hang = indent) =>
    out.push(...wrapText(text, width - hang.length).map((line, index) => `${index === 0 ? indent : hang}${line}`));

  out.push(colors.bold(`${detail.number}  ${detail.name}`));
  field('Status', `${colorStatus(colors, detail.status)}${detail.since ? ` since ${formatTimestamp(detail.since)}` : ''}`);
  if (detail.reason) field('Reason', detail.summary ?? REASON_TEXTS[detail.reason]?.summary ?? detail.reason);
  if (detail.description) {
    out.push('');
    paragraph(detail.description);
  }

  const actions = detail.accounts.flatMap((account) => {
    const action = accountAction(account);
    if (!action) return [];
    const bic = detail.ballInCourt.find((entry) => entry.procoreLogin.toLowerCase() === account.login.toLowerCase());
    const who = bic ? ` (ball-in-court user ${bic.username}${bic.displayName ? `, ${bic.displayName}` : ''})` : '';
    // The project's own reason is already shown above; another account's reason is said here.
    const why = account.reason === detail.reason ? '' : `: ${REASON_TEXTS[account.reason]?.summary ?? account.reason}`;
    return [`${action}${who}${why}.`];
  });
  if (actions.length > 0) {
    out.push('', colors.bold('Who must act'));
    for (const action of actions) paragraph(`• ${action}`, '  ', '    ');
    if (detail.accounts.some((account) => REASONS_NEEDING_SIGN_IN.includes(account.reason))) {
      paragraph(
        'The project\'s ball-in-court user, a Project Admin of the project or a Global Admin can reconnect it, signing in to Procore as the account named above.',
        '  ',
      );
    }
  }
  if (detail.remedy.length > 0) {
    out.push('', colors.bold('What to do'));
    detail.remedy.forEach((step, index) => paragraph(`${index + 1}. ${step}`, '  ', '     '));
    if (detail.accounts.some((account) => REASONS_NEEDING_SIGN_IN.includes(account.reason))) {
      out.push(`  Run: ${colors.cyan(`ncs reconnect ${detail.number}`)}`);
    }
  }

  out.push('');
  field('Ball-in-court', detail.ballInCourt.map((entry, i) => `${i + 1}. ${entry.username}${entry.displayName ? ` (${entry.displayName})` : ''}, Procore ${entry.procoreLogin}`).join('\n') || '(none)');
  field('Procore', `company ${detail.procore.companyId}, project ${detail.procore.projectId}`);
  field('Last sync', detail.sync.lastSyncAt ? `${formatTimestamp(detail.sync.lastSyncAt)} (${relativeTime(detail.sync.lastSyncAt, now)})` : 'never');
  if (detail.sync.lastError) field('Last error', `${detail.sync.lastError.message} (${detail.sync.lastError.code}, ${formatTimestamp(detail.sync.lastError.at)})`);
  field('Mirrored', `${detail.sync.rfis} RFIs, ${detail.sync.submittals} submittals`);
  if (detail.warnings.length > 0) field('Warnings', detail.warnings.map((w) => `• ${w.account}: ${w.message}`).join('\n'));

  if (checks) {
    out.push('', colors.bold('Live checks'));
    if (checks.length === 0) out.push('  (no ball-in-court accounts to check)');
    for (const check of checks) {
      const verdict = check.reason === 'ok' ? colors.green('ok') : colors.red(REASON_TEXTS[check.reason]?.summary ?? check.reason);
      out.push(`  ${check.account}`);
      paragraph(
        `credential ${check.credential}; account matches: ${yesNo(check.accountMatches)}; project reachable: ${yesNo(check.projectReachable)}; RFIs and Submittals reachable: ${yesNo(check.toolsReachable)}`,
        '    ',
      );
      out.push(`    → ${verdict}`);
    }
  }
  return `${out.join('\n')}\n`;
}
