// Recently served list pages, reused while nothing has been committed since they were read (see data-stamp.ts):
// monitoring scripts and consoles ask for the same pages over and over, and the stamp costs a fraction of the page.
import type { Db } from '../db/connect.js';
import { readDataStamp } from '../db/data-stamp.js';
import { queryProjectPage, type ProjectPage, type ProjectPageQuery } from './list-query.js';

interface CachedPage {
  stamp: string;
  page: ProjectPage;
}

export interface ProjectPageCache {
  read(db: Db, query: ProjectPageQuery): Promise<ProjectPage>;
}

function keyOf(query: ProjectPageQuery): string {
  const scope = query.scope.all ? '*' : `u:${query.scope.usernameKey}`;
  return JSON.stringify([scope, query.status ?? null, query.q ?? null, query.from ?? null, query.limit ?? null]);
}

/** At most `limit` pages are kept; the oldest entry goes first. */
export function createProjectPageCache(limit = 256): ProjectPageCache {
  const pages = new Map<string, CachedPage>();
  return {
    async read(db, query) {
      // The stamp is read before the page: a commit in between makes the entry stale at once, never wrongly fresh.
      const stamp = await readDataStamp(db);
      const key = keyOf(query);
      const cached = pages.get(key);
      if (cached && cached.stamp === stamp) return cached.page;
      const page = await queryProjectPage(db, query);
      pages.delete(key);
      if (pages.size >= limit) pages.delete(pages.keys().next().value!);
      pages.set(key, { stamp, page });
      return page;
    },
  };
}
