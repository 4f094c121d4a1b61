// How projects read on a terminal: status labels, who must act, and the 80-column `projects list` table.
// Runtime imports name core's modules, not its index, so a command loads only the vocabulary it uses.
import type { AccountNeedingAction, ProjectItem } from '../../core/api.js';
import { REASON_TEXTS, REASONS_NEEDING_SIGN_IN } from '../../core/reasons.js';
import { STATUS_LABELS, type ProjectStatus } from '../../core/status.js';
import type { Colors } from './colors.js';
import { relativeTime, wrapText } from './text.js';

export function statusLabel(status: ProjectStatus): string {
  return STATUS_LABELS[status] ?? status;
}

export function colorStatus(colors: Colors, status: ProjectStatus): string {
  const label = statusLabel(status);
  if (status === 'connected') return colors.green(label);
  if (status === 'degraded') return colors.yellow(label);
  return colors.red(label);
}

/** What a person must do for one account, or undefined when nobody needs to act (transient reasons). */
export function accountAction(account: AccountNeedingAction, short = false): string | undefined {
  if (REASONS_NEEDING_SIGN_IN.includes(account.reason)) return `Sign in ${short ? '' : 'to Procore '}as ${account.login}`;
  if (account.reason === 'permission_denied') return `Give ${account.login} access in Procore`;
  if (account.reason === 'unknown') return `Check ${account.login}`;
  return undefined;
}

/** The Details cell: the reason's one-line summary, then the account(s) that must act. */
export function detailsText(item: ProjectItem): string {
  const lines: string[] = [];
  if (item.reason) lines.push(REASON_TEXTS[item.reason]?.summary ?? item.reason);
  for (const account of item.accounts) {
    const action = accountAction(account, true);
    if (!action) continue;
    // A connected project lists a broken failover account: say which one it is.
    lines.push(item.status === 'connected' ? `Failover: ${action.charAt(0).toLowerCase()}${action.slice(1)}` : action);
  }
  return lines.join('\n');
}

export function ballInCourtText(item: ProjectItem): string {
  return item.ballInCourt.map((entry) => entry.username).join('\n') || '(none)';
}

export interface TableSettings {
  /** Total width; 80 unless stdout is a wider terminal. */
  width: number;
  colors: Colors;
  now: Date;
}

const HEADERS = ['Project', 'Connection Status', 'Ball-in-Court', 'Last Sync', 'Details'] as const;
/** One space of padding on the right of each cell and one between columns. */
const CELL_PADDING = 1;
const COLUMN_GAP = 1;

/**
 * Column widths for a total width: the status column fits "Connection Lost" on one line (its header may
 * take two); Project and Details share what is left, Details taking the larger part.
 */
export function columnWidths(totalWidth: number): number[] {
  const status = 'Connection Lost'.length + CELL_PADDING;
  const ballInCourt = 'Ball-in-'.length + 4 + CELL_PADDING;
  const lastSync = 'YYYY-MM-DD'.length + CELL_PADDING;
  const rest = Math.max(totalWidth - COLUMN_GAP * (HEADERS.length - 1) - status - ballInCourt - lastSync, 30);
  const project = Math.max(Math.floor(rest * 0.4), 'P-1234'.length + CELL_PADDING);
  return [project, status, ballInCourt, lastSync, rest - project];
}

/** The borderless table: a rule under the header and between projects, nothing wider than `width`. */
export async function renderProjectTable(items: readonly ProjectItem[], settings: TableSettings): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const widths = columnWidths(settings.width);
  const fit = (text: string, column: number) => wrapText(text, widths[column] - CELL_PADDING).join('\n');
  const table = new Table({
    head: HEADERS.map((header, column) => fit(header, column).split('\n').map(settings.colors.bold).join('\n')),
    colWidths: widths,
    wordWrap: false, // cells are wrapped by fit(), which splits long words instead of cutting them
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': CELL_PADDING },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', right: '', 'right-mid': '',
      mid: '─', 'mid-mid': '─', middle: ' '.repeat(COLUMN_GAP),
    },
  });
  for (const item of items) {
    table.push([
      fit(`${item.number}\n${item.name}`, 0),
      colorStatus(settings.colors, item.status),
      fit(ballInCourtText(item), 2),
      relativeTime(item.lastSyncAt, settings.now),
      fit(detailsText(item), 4),
    ]);
  }
  return `${table.toString().split('\n').map((line) => line.trimEnd()).join('\n')}\n`;
}
