// Reads a Trimble connector export (CSV or JSON, SPEC 4.1) into validated rows; every problem is kept with its line.
import { readCsv } from './csv.js';
import { ImportError, type ImportProblem } from './errors.js';
import type { NewProject } from './project-admin.js';
import {
  ballInCourtProblems,
  normalizeProcoreId,
  projectNameProblem,
  projectNumberProblem,
  type BicInput,
} from './validation.js';

/** A validated project of the file, as `projects add` takes it, with where it stood in the file. */
export interface TrimbleRow extends NewProject {
  /** CSV line or JSON array index, for messages. */
  line: number;
}

export interface TrimbleFile {
  fileName: string;
  content: string;
}

export type TrimbleFormat = 'csv' | 'json';

export const CSV_COLUMNS = ['number', 'name', 'companyId', 'projectId', 'bicUsernames', 'bicLogins'] as const;
const JSON_KEYS = ['number', 'name', 'companyId', 'projectId', 'ballInCourt'];
const JSON_BIC_KEYS = ['username', 'procoreLogin'];

/** By extension; otherwise a file starting with `[` or `{` is JSON. */
export function trimbleFormatOf(file: TrimbleFile): TrimbleFormat {
  const lower = file.fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv')) return 'csv';
  return /^\uFEFF?\s*[[{]/.test(file.content) ? 'json' : 'csv';
}

/**
 * Parses and validates the file. Throws an ImportError listing every problem (bad rows, duplicate numbers within
 * the file); numbers that already exist in the database are checked by the import, not here.
 */
export function parseTrimbleFile(file: TrimbleFile): { format: TrimbleFormat; rows: TrimbleRow[] } {
  const format = trimbleFormatOf(file);
  const { rows, problems } = format === 'csv' ? readCsvRows(file.content) : readJsonRows(file.content);
  problems.push(...duplicateNumberProblems(rows, format));
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    throw new ImportError(file.fileName, format, problems);
  }
  return { format, rows };
}

interface Candidate {
  line: number;
  number: unknown;
  name: unknown;
  companyId: unknown;
  projectId: unknown;
  ballInCourt: BicInput[];
  /** Problems found while reading the row's shape. */
  shapeProblems: string[];
  /** A row too broken to check field by field (wrong field count, not an object): its only problem. */
  unreadable?: string;
}

function validate(candidate: Candidate): { row?: TrimbleRow; problems: string[] } {
  if (candidate.unreadable) return { problems: [candidate.unreadable] };
  const problems = [...candidate.shapeProblems];
  const number = typeof candidate.number === 'string' ? candidate.number.trim() : undefined;
  if (number === undefined) problems.push('number is missing or not a string');
  else {
    const problem = projectNumberProblem(number);
    if (problem) problems.push(problem);
  }
  const name = typeof candidate.name === 'string' ? candidate.name.trim() : undefined;
  if (name === undefined) problems.push('name is missing or not a string');
  else {
    const problem = projectNameProblem(name);
    if (problem) problems.push(problem);
  }
  const companyId = normalizeProcoreId(candidate.companyId, 'companyId');
  if ('problem' in companyId) problems.push(companyId.problem);
  const projectId = normalizeProcoreId(candidate.projectId, 'projectId');
  if ('problem' in projectId) problems.push(projectId.problem);
  if (candidate.shapeProblems.length === 0) problems.push(...ballInCourtProblems(candidate.ballInCourt));
  if (problems.length > 0 || !('id' in companyId) || !('id' in projectId)) return { problems };
  return {
    problems,
    row: { line: candidate.line, number: number!, name: name!, companyId: companyId.id, projectId: projectId.id, ballInCourt: candidate.ballInCourt },
  };
}

function collect(candidates: Candidate[], problems: ImportProblem[]): TrimbleRow[] {
  const rows: TrimbleRow[] = [];
  for (const candidate of candidates) {
    const result = validate(candidate);
    for (const message of result.problems) problems.push({ line: candidate.line, message });
    if (result.row) rows.push(result.row);
  }
  return rows;
}

function splitList(value: string): string[] {
  return value.trim() === '' ? [] : value.split(';').map((part) => part.trim());
}

function readCsvRows(content: string): { rows: TrimbleRow[]; problems: ImportProblem[] } {
  const { records, problems } = readCsv(content);
  const [header, ...data] = records;
  if (!header) {
    problems.push({ line: 1, message: `the file is empty; expected the header ${CSV_COLUMNS.join(',')}` });
    return { rows: [], problems };
  }
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const index = new Map(CSV_COLUMNS.map((column) => [column, names.indexOf(column.toLowerCase())]));
  const missing = CSV_COLUMNS.filter((column) => index.get(column) === -1);
  const unknown = header.fields.filter((f) => !CSV_COLUMNS.some((c) => c.toLowerCase() === f.trim().toLowerCase()));
  if (missing.length > 0 || unknown.length > 0 || names.length !== CSV_COLUMNS.length) {
    const parts = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      unknown.length ? `unknown ${unknown.map((u) => `"${u}"`).join(', ')}` : '',
    ].filter(Boolean);
    problems.push({ line: header.line, message: `the header must be ${CSV_COLUMNS.join(',')}${parts.length ? ` (${parts.join('; ')})` : ' (a column is repeated)'}` });
    return { rows: [], problems };
  }
  const candidates = data.map((record): Candidate => {
    const shapeProblems: string[] = [];
    const unreadable =
      record.fields.length === CSV_COLUMNS.length ? undefined : `the row has ${record.fields.length} fields; the header has ${CSV_COLUMNS.length}`;
    const get = (column: (typeof CSV_COLUMNS)[number]) => record.fields[index.get(column)!] ?? '';
    const usernames = splitList(get('bicUsernames'));
    const logins = splitList(get('bicLogins'));
    if (usernames.length !== logins.length) {
      shapeProblems.push(`bicUsernames lists ${usernames.length} and bicLogins ${logins.length}; they must pair up in the same order`);
    }
    return {
      line: record.line,
      number: get('number'),
      name: get('name'),
      companyId: get('companyId'),
      projectId: get('projectId'),
      ballInCourt: usernames.map((username, i) => ({ username, procoreLogin: logins[i] ?? '' })),
      shapeProblems,
      unreadable,
    };
  });
  return { rows: collect(candidates, problems), problems };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJsonRows(content: string): { rows: TrimbleRow[]; problems: ImportProblem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
  } catch (error) {
    return { rows: [], problems: [{ line: 0, message: `the file is not valid JSON (${(error as Error).message})` }] };
  }
  if (!Array.isArray(parsed)) {
    return { rows: [], problems: [{ line: 0, message: 'the file must hold a JSON array of projects' }] };
  }
  const problems: ImportProblem[] = [];
  const candidates = parsed.map((element: unknown, line): Candidate => {
    if (!isObject(element)) {
      const unreadable = 'the item is not an object';
      return { line, number: undefined, name: undefined, companyId: undefined, projectId: undefined, ballInCourt: [], shapeProblems: [], unreadable };
    }
    const shapeProblems = Object.keys(element)
      .filter((key) => !JSON_KEYS.includes(key))
      .map((key) => `unknown field "${key}"`);
    const ballInCourt: BicInput[] = [];
    const bic = element.ballInCourt;
    if (!Array.isArray(bic)) shapeProblems.push('ballInCourt must be an array of {username, procoreLogin}');
    else {
      bic.forEach((entry: unknown, position) => {
        if (!isObject(entry) || typeof entry.username !== 'string' || typeof entry.procoreLogin !== 'string') {
          shapeProblems.push(`ballInCourt[${position}] must be {username, procoreLogin} with string values`);
          return;
        }
        const extra = Object.keys(entry).filter((key) => !JSON_BIC_KEYS.includes(key));
        if (extra.length) shapeProblems.push(`ballInCourt[${position}] has unknown field "${extra[0]}"`);
        ballInCourt.push({ username: entry.username.trim(), procoreLogin: entry.procoreLogin.trim() });
      });
    }
    return {
      line,
      number: element.number,
      name: element.name,
      companyId: element.companyId,
      projectId: element.projectId,
      ballInCourt,
      shapeProblems,
    };
  });
  return { rows: collect(candidates, problems), problems };
}

function duplicateNumberProblems(rows: TrimbleRow[], format: TrimbleFormat): ImportProblem[] {
  const firstLine = new Map<string, number>();
  const problems: ImportProblem[] = [];
  for (const row of rows) {
    const key = row.number.toLowerCase();
    const first = firstLine.get(key);
    if (first === undefined) firstLine.set(key, row.line);
    else {
      const where = format === 'csv' ? `line ${first}` : `item [${first}]`;
      problems.push({ line: row.line, message: `project number ${row.number} is already used on ${where} (numbers are unique, ignoring case)` });
    }
  }
  return problems;
}
