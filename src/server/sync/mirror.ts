// The RFI and submittal mirror (SPEC 4.4): pull what changed since the cursor, page by page, upsert by Procore id,
// and move the cursor to the round's `to` minus 60 seconds only once every page is stored.
import { MAX_LIST_PAGES, type ProcoreItem, type ProcoreTool } from '../../procore/index.js';
import type { CredentialSession } from '../credentials/session.js';
import type { MirrorItemsTable } from '../db/schema.js';
import type { DbOrTrx } from '../db/transaction.js';
import type { ServerDeps } from '../deps.js';

export const MIRROR_TOOLS: readonly ProcoreTool[] = ['rfis', 'submittals'];
export const ITEM_TYPES: Record<ProcoreTool, MirrorItemsTable['item_type']> = { rfis: 'rfi', submittals: 'submittal' };
/** The next pull starts this long before the last one ended, so an item stamped late by Procore is not missed. */
export const CURSOR_OVERLAP_MS = 60_000;

export interface MirrorTarget {
  id: string;
  companyId: string;
  procoreProjectId: string;
}

export async function readCursor(db: DbOrTrx, projectId: string, tool: ProcoreTool): Promise<Date | undefined> {
  const row = await db
    .selectFrom('sync_cursors')
    .select('cursor_at')
    .where('project_id', '=', projectId)
    .where('item_type', '=', ITEM_TYPES[tool])
    .executeTakeFirst();
  return row ? new Date(row.cursor_at) : undefined;
}

async function storePage(db: DbOrTrx, projectId: string, tool: ProcoreTool, items: readonly ProcoreItem[]): Promise<void> {
  if (items.length === 0) return;
  const rows = items.map((item) => ({
    project_id: projectId,
    item_type: ITEM_TYPES[tool],
    procore_id: item.id,
    procore_updated_at: new Date(item.updatedAt).toISOString(),
    data: JSON.stringify(item.raw),
  }));
  await db
    .insertInto('mirror_items')
    .values(rows)
    .onConflict((conflict) =>
      conflict.columns(['project_id', 'item_type', 'procore_id']).doUpdateSet((eb) => ({
        procore_updated_at: eb.ref('excluded.procore_updated_at'),
        data: eb.ref('excluded.data'),
      })),
    )
    .execute();
}

/**
 * Pulls one tool's items updated in [cursor, to] (everything on the first pull) and stores them; the cursor
 * moves only after the last page is stored, so a round that fails midway pulls the same range again.
 * Procore errors propagate as thrown by the session (the caller classifies them). Returns how many items came.
 */
export async function pullTool(
  deps: ServerDeps,
  session: CredentialSession,
  project: MirrorTarget,
  tool: ProcoreTool,
  to: Date,
  onPage: () => Promise<void> = async () => undefined,
): Promise<number> {
  const from = await readCursor(deps.db, project.id, tool);
  let pulled = 0;
  for (let page: number | null = 1, pages = 0; page !== null; pages++) {
    if (pages >= MAX_LIST_PAGES) throw new Error(`Procore's ${tool} listing did not end after ${MAX_LIST_PAGES} pages`);
    const current: number = page;
    const result = await session.call((token) =>
      deps.procore.listItems(token, project.companyId, project.procoreProjectId, tool, { updatedFrom: from ?? new Date(0), updatedTo: to, page: current }),
    );
    await storePage(deps.db, project.id, tool, result.items);
    pulled += result.items.length;
    page = result.nextPage;
    await onPage();
  }
  const cursorAt = new Date(to.getTime() - CURSOR_OVERLAP_MS).toISOString();
  await deps.db
    .insertInto('sync_cursors')
    .values({ project_id: project.id, item_type: ITEM_TYPES[tool], cursor_at: cursorAt })
    .onConflict((conflict) => conflict.columns(['project_id', 'item_type']).doUpdateSet({ cursor_at: cursorAt }))
    .execute();
  return pulled;
}
