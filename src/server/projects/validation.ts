// Checks on what admins type or import: project numbers, names, Procore ids, BIC usernames and logins (SPEC 3).
// Each check returns the problem as a sentence, or null when the value is fine.

export const PROJECT_NUMBER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
export const PROJECT_NAME_MAX = 200;
export const USERNAME_MAX = 64;
export const LOGIN_MAX = 254;
/** No whitespace, and none of the characters that carry a domain (`DEMO\jsmith`, `jsmith@demo`) or separate list items. */
const USERNAME_PATTERN = /^[^\s\\@:;,/]+$/;
/** Loose on purpose: Procore owns the rules; this catches swapped columns and typos. */
const LOGIN_PATTERN = /^[^\s@;,:]+@[^\s@;,:]+\.[^\s@;,:]+$/;
const DECIMAL_ID = /^[1-9][0-9]{0,15}$/;

export function projectNumberProblem(number: string): string | null {
  return PROJECT_NUMBER_PATTERN.test(number)
    ? null
    : `project number "${number}" must be 1-32 letters, digits, ".", "_" or "-", starting with a letter or digit`;
}

export function projectNameProblem(name: string): string | null {
  if (name.trim() === '') return 'the project name is empty';
  if (name.length > PROJECT_NAME_MAX) return `the project name is longer than ${PROJECT_NAME_MAX} characters`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the project name contains control characters';
  return null;
}

/**
 * Procore ids are decimal strings everywhere (SPEC 3); a JSON import may give safe integers.
 * Returns the id as a string, or a problem.
 */
export function normalizeProcoreId(value: unknown, label: string): { id: string } | { problem: string } {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return { id: String(value) };
    return { problem: `${label} ${String(value)} is not a positive integer below 2^53 (give it as a string)` };
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (DECIMAL_ID.test(trimmed) && Number(trimmed) <= Number.MAX_SAFE_INTEGER) return { id: trimmed };
    return { problem: `${label} "${value}" is not a positive decimal id below 2^53` };
  }
  return { problem: `${label} is missing or not a string or integer` };
}

export function usernameProblem(username: string): string | null {
  if (username === '') return 'a ball-in-court username is empty';
  if (username.length > USERNAME_MAX) return `ball-in-court username "${username.slice(0, 20)}…" is longer than ${USERNAME_MAX} characters`;
  if (/[\\@]/.test(username)) return `ball-in-court username "${username}" must not include a domain (use "jsmith", not "DEMO\\jsmith" or "jsmith@demo")`;
  if (!USERNAME_PATTERN.test(username)) return `ball-in-court username "${username}" contains spaces or one of : ; , /`;
  return null;
}

export function loginProblem(login: string): string | null {
  if (login === '') return 'a Procore login is empty';
  if (login.length > LOGIN_MAX || !LOGIN_PATTERN.test(login)) return `Procore login "${login.slice(0, 80)}" is not an email address`;
  return null;
}

export interface BicInput {
  username: string;
  procoreLogin: string;
}

/** Problems of a ball-in-court list: at least one entry, each valid, no Procore account twice. */
export function ballInCourtProblems(entries: readonly BicInput[]): string[] {
  if (entries.length === 0) return ['at least one ball-in-court user is needed'];
  const problems: string[] = [];
  const seenLogins = new Set<string>();
  for (const entry of entries) {
    const username = usernameProblem(entry.username);
    if (username) problems.push(username);
    const login = loginProblem(entry.procoreLogin);
    if (login) problems.push(login);
    const key = entry.procoreLogin.toLowerCase();
    if (!login && seenLogins.has(key)) problems.push(`Procore login ${entry.procoreLogin} is listed twice`);
    seenLogins.add(key);
  }
  return problems;
}

/** `USER:LOGIN` from the command line. */
export function parseBicArgument(argument: string): BicInput | { problem: string } {
  const colon = argument.indexOf(':');
  if (colon < 0) return { problem: `"${argument}" is not USER:LOGIN (for example jsmith:jsmith@example.com)` };
  return { username: argument.slice(0, colon).trim(), procoreLogin: argument.slice(colon + 1).trim() };
}
