// `ncs-server projects import-trimble`: all rows or none; imported projects stay `migrated_from_trimble` until reconnected.
import path from 'node:path';
import { appendAudit } from '../audit/audit-log.js';
import { inTransaction, type DbOrTrx } from '../db/transaction.js';
import { ImportError, type ImportProblem } from './errors.js';
import { existingNumbers, insertProjects } from './project-admin.js';
import { parseTrimbleFile, type TrimbleFile } from './trimble-file.js';

export interface ImportResult {
  imported: number;
  projects: { id: string; number: string }[];
}

/** The audit entry lists at most this many numbers, so a very large import stays one readable entry. */
const AUDITED_NUMBERS = 200;

/**
 * Imports every project of the file, or none: any bad row, duplicate number, or number that already exists throws an
 * ImportError listing each problem by line (CSV) or index (JSON).
 */
export async function importTrimbleProjects(
  db: DbOrTrx,
  file: TrimbleFile,
  now: Date,
  options: { actor?: string } = {},
): Promise<ImportResult> {
  const { format, rows } = parseTrimbleFile(file);
  const projects = await inTransaction(db, async (trx) => {
    // Checked inside the transaction, so a project added meanwhile cannot slip between the check and the insert.
    const existing = new Set((await existingNumbers(trx, rows.map((row) => row.number))).map((n) => n.toLowerCase()));
    const problems: ImportProblem[] = rows
      .filter((row) => existing.has(row.number.toLowerCase()))
      .map((row) => ({ line: row.line, message: `project ${row.number} already exists (numbers are unique, ignoring case)` }));
    if (problems.length > 0) throw new ImportError(file.fileName, format, problems);

    const created = await insertProjects(trx, rows, 'trimble_migration', now);
    await appendAudit(trx, {
      actor: options.actor ?? 'ncs-server',
      action: 'projects_imported',
      at: now,
      details: {
        file: path.basename(file.fileName),
        format,
        count: created.length,
        numbers: created.slice(0, AUDITED_NUMBERS).map((p) => p.number),
        ...(created.length > AUDITED_NUMBERS ? { numbersOmitted: created.length - AUDITED_NUMBERS } : {}),
      },
    });
    return created;
  });
  return { imported: projects.length, projects };
}
