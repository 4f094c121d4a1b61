// Procore's page/per_page pagination: the next page from the Link header, else Total, else a short page.
import type { IncomingHttpHeaders } from 'node:http';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The `page` number of the `rel="next"` link, undefined when there is no Link header at all, null when it has no next. */
export function nextPageFromLink(link: string | undefined): number | null | undefined {
  if (link === undefined || link.trim() === '') return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^<([^>]*)>(.*)$/s.exec(part.trim());
    if (!match) continue;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(match[2]);
    if (!rel || !(rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes('next')) continue;
    try {
      const page = Number(new URL(match[1], 'http://link.invalid').searchParams.get('page'));
      return Number.isSafeInteger(page) && page > 0 ? page : null;
    } catch {
      return null;
    }
  }
  return null;
}

export function totalFromHeaders(headers: IncomingHttpHeaders): number | null {
  const value = header(headers, 'total')?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * Which page comes after `page`. Link is the authority when sent; else Total; else a full page means
 * there may be more and a short page is the last. An empty page always ends the listing.
 */
export function nextPageAfter(
  headers: IncomingHttpHeaders,
  page: number,
  perPage: number,
  itemCount: number,
): number | null {
  if (itemCount === 0) return null;
  const fromLink = nextPageFromLink(header(headers, 'link'));
  if (fromLink !== undefined) return fromLink !== null && fromLink > page ? fromLink : null;
  // Procore may cap per_page below what we asked; its Per-Page header then says what a page holds.
  const perPageHeader = header(headers, 'per-page')?.trim();
  const pageSize = perPageHeader && /^[1-9]\d*$/.test(perPageHeader) ? Number(perPageHeader) : perPage;
  const total = totalFromHeaders(headers);
  if (total !== null) return page * pageSize < total ? page + 1 : null;
  return itemCount >= pageSize ? page + 1 : null;
}
