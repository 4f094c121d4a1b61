// The queries behind `GET /projects` and `/projects/summary`: visibility, filters and keyset paging over the stored
// items. The hot path (SPEC 9.4) is one statement in which the database joins the page's items into one string:
// no count query, no per-row objects.
import { sql, type RawBuilder } from 'kysely';
import type { ProjectStatus, ProjectSummaryCounts } from '../../core/index.js';
import { isPostgres } from '../db/migrations.js';
import { reusableQuery } from '../db/reusable-query.js';
import type { DbOrTrx } from '../db/transaction.js';
import { ITEM_JSON_PREFIX } from './item-schema.js';
import { PROJECT_NUMBER_PATTERN } from './validation.js';

/** Whose projects: everything for Global Admins (and admin commands), else the user's projects. */
export type ProjectScope = { all: true } | { all: false; usernameKey: string };

export interface ProjectPageQuery {
  scope: ProjectScope;
  status?: ProjectStatus;
  /** Case-insensitive substring of the number or the name. */
  q?: string;
  /** Page size; undefined for every match (admin commands). */
  limit?: number;
  /** Start at this number (inclusive), in byte order: the previous page's `nextNumber`. */
  from?: string;
}

export interface ProjectPage {
  /** The stored item JSON of each project on the page, in number order, joined with commas. */
  itemsJson: string;
  count: number;
  /** The first number of the next page; null on the last page. */
  nextNumber: string | null;
}

/**
 * Visible to a user: Project Admin or ball-in-court of the project (SPEC 1, 8). An uncorrelated `in` over both role
 * tables: SQLite would otherwise answer a correlated `exists` through the username index once per project row.
 */
export function visibleToSql(usernameKey: string): RawBuilder<boolean> {
  return sql<boolean>`projects.id in (select project_id from bic_assignments where username_key = ${usernameKey} union select project_id from project_admins where username_key = ${usernameKey})`;
}

/** LIKE treats `%`, `_` and the escape character as syntax; a search for them means the characters themselves. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** The page statement, compiled once per shape of filters (values arrive as bound parameters). */
const pageStatement = reusableQuery(
  (db: DbOrTrx, usernameKey?: string, status?: string, pattern?: string, from?: string, limit?: number) => {
    const conditions: RawBuilder<unknown>[] = [];
    if (usernameKey !== undefined) conditions.push(visibleToSql(usernameKey));
    if (status !== undefined) conditions.push(sql`status = ${status}`);
    // Both sides go through the database's own lower(), so case folding agrees with itself on SQLite and PostgreSQL.
    if (pattern !== undefined) conditions.push(sql`(number_key like lower(${pattern}) escape '\\' or lower(name) like lower(${pattern}) escape '\\')`);
    if (from !== undefined) conditions.push(sql`number >= ${from}`);
    const where = conditions.length === 0 ? sql`` : sql`where ${sql.join(conditions, sql` and `)}`;
    const limitClause = limit === undefined ? sql`` : sql`limit ${limit}`;
    // PostgreSQL needs the order inside the aggregate. SQLite concatenates in the order its subquery produces (a LIMIT
    // subquery under an aggregate is not flattened), which spares sorting the JSON a second time.
    const joined = isPostgres(db) ? sql`string_agg(item_json, ',' order by number)` : sql`group_concat(item_json, ',')`;
    return sql<{ items: string | null; n: string | number; last: string | null }>`
      select ${joined} as items, count(*) as n, max(number) as last
      from (select number, item_json from projects ${where} order by number ${limitClause}) as page`;
  },
  (...args) => args.map((arg) => (arg === undefined ? '-' : '+')).join(''),
);

/**
 * One statement: the page plus one more project, joined by the database into one string. The extra project tells
 * whether a next page exists and where it starts; it is cut off the string again (cheaper than a second statement).
 */
export async function queryProjectPage(db: DbOrTrx, query: ProjectPageQuery): Promise<ProjectPage> {
  const rows = await pageStatement(
    db,
    query.scope.all ? undefined : query.scope.usernameKey,
    query.status,
    query.q ? likeContains(query.q) : undefined,
    query.from,
    query.limit === undefined ? undefined : query.limit + 1,
  );
  const items = rows[0]?.items ?? '';
  const count = Number(rows[0]?.n ?? 0);
  if (query.limit === undefined || count <= query.limit) return { itemsJson: items, count, nextNumber: null };
  return { itemsJson: withoutLastItem(items), count: query.limit, nextNumber: rows[0]!.last };
}

/**
 * Cuts the last item off comma-joined item JSON. Every item starts with `{"id":"` (the schema's first key), and that
 * sequence cannot occur inside an item: quotes inside strings are escaped, and no nested object starts with "id".
 */
function withoutLastItem(items: string): string {
  const cut = items.lastIndexOf(`,${ITEM_JSON_PREFIX}`);
  if (cut < 0) throw new Error('stored project items do not start with their id');
  return items.slice(0, cut);
}

export async function countProjectsByStatus(db: DbOrTrx, scope: ProjectScope): Promise<ProjectSummaryCounts> {
  let select = db.selectFrom('projects').select(['status', sql<string | number>`count(*)`.as('count')]).groupBy('status');
  if (!scope.all) select = select.where(visibleToSql(scope.usernameKey));
  const rows = await select.execute();
  const countOf = (status: ProjectStatus) => Number(rows.find((row) => row.status === status)?.count ?? 0);
  return { connected: countOf('connected'), lost: countOf('connection_lost'), degraded: countOf('degraded') };
}

/** Cursors are opaque to clients: base64url of the first number of the next page. */
export function encodeCursor(nextNumber: string): string {
  return Buffer.from(nextNumber, 'utf8').toString('base64url');
}

/** The number a cursor stands for, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const number = Buffer.from(cursor, 'base64url').toString('utf8');
  // Round-tripping rejects non-canonical encodings, so one page has one cursor.
  if (!PROJECT_NUMBER_PATTERN.test(number) || encodeCursor(number) !== cursor) return undefined;
  return number;
}
