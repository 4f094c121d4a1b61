// Shared by the directory's admin commands: who the audit names as actor, error translation, plain-text tables.
import { userInfo } from 'node:os';
import { AdminError } from '../../cli/context.js';
import { DirectoryError, type DirectoryErrorCode } from '../errors.js';

/** Usage mistakes exit 2; things that are not there, or already taken, exit 1. */
const EXIT_CODES: Record<DirectoryErrorCode, number> = {
  invalid_username: 2,
  invalid_display_name: 2,
  invalid_password: 2,
  invalid_token_name: 2,
  invalid_lifetime: 2,
  user_exists: 1,
  user_not_found: 1,
  unknown_projects: 1,
  token_name_taken: 1,
  token_not_found: 1,
};

/** Runs directory work, turning its DirectoryErrors into one-line AdminErrors. */
export async function asAdmin<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DirectoryError) throw new AdminError(error.message, EXIT_CODES[error.code]);
    throw error;
  }
}

/** The audit actor of an admin command: the operating-system account that ran it. */
export function adminActor(env: NodeJS.ProcessEnv): string {
  let account = env.USER || env.LOGNAME || env.USERNAME;
  if (!account) {
    try {
      account = userInfo().username;
    } catch {
      account = 'unknown';
    }
  }
  return `ncs-server:${account}`;
}

/** `2025-03-01T09:30:00Z`: ISO 8601 UTC without milliseconds, for tables. */
export function shortTime(iso: string | null): string {
  return iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-';
}

/** Left-aligned columns separated by two spaces; cells are single-line. */
export function formatTable(headers: string[], rows: string[][]): string {
  const clean = (cell: string) => cell.replace(/[\r\n\t]+/g, ' ');
  const all = [headers, ...rows.map((row) => row.map(clean))];
  const widths = headers.map((_, column) => Math.max(...all.map((row) => [...(row[column] ?? '')].length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - [...cell].length)))
      .join('  ')
      .trimEnd();
  return `${all.map(line).join('\n')}\n`;
}
