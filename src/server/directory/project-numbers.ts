// Resolves project numbers typed by an administrator (case-insensitively) to NCS project ids, all or none.
import type { DbOrTrx } from '../db/transaction.js';
import { DirectoryError } from './errors.js';

export interface ResolvedProject {
  id: string;
  number: string;
}

/** Every number must name a project; otherwise a DirectoryError names each unknown one and nothing is resolved. */
export async function resolveProjectNumbers(db: DbOrTrx, numbers: string[]): Promise<ResolvedProject[]> {
  const keys = [...new Set(numbers.map((number) => number.trim().toLowerCase()))];
  if (keys.length === 0) return [];
  const rows = await db.selectFrom('projects').select(['id', 'number', 'number_key']).where('number_key', 'in', keys).execute();
  const byKey = new Map(rows.map((row) => [row.number_key, row]));
  const unknown = numbers.filter((number) => !byKey.has(number.trim().toLowerCase()));
  if (unknown.length > 0) {
    const list = unknown.map((number) => `"${number}"`).join(', ');
    throw new DirectoryError('unknown_projects', `No project ${list}; nothing was changed.`, {
      unknown,
    });
  }
  return keys.map((key) => {
    const row = byKey.get(key)!;
    return { id: row.id, number: row.number };
  });
}
