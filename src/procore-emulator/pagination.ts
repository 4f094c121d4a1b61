// Procore's page/per_page pagination: the slice, and the Total, Per-Page and Link headers with absolute URLs.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Procore's default varies by endpoint; 100 is what NCS asks for anyway, so the default rarely matters. */
export const DEFAULT_PER_PAGE = 100;
/** Procore documents 10,000 as the highest per_page; larger values are capped, and Per-Page says so. */
export const MAX_PER_PAGE = 10_000;

export type PageResult<T> = { ok: true; items: T[] } | { ok: false; message: string };

export function paginate<T>(request: FastifyRequest, reply: FastifyReply, all: readonly T[]): PageResult<T> {
  const query = request.query as Record<string, unknown>;
  const page = positiveInteger(query.page, 1);
  if (page === undefined) return { ok: false, message: 'page must be a positive integer' };
  const asked = positiveInteger(query.per_page, DEFAULT_PER_PAGE);
  if (asked === undefined) return { ok: false, message: 'per_page must be a positive integer' };
  const perPage = Math.min(asked, MAX_PER_PAGE);
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));

  const links: string[] = [];
  const link = (target: number, rel: string) => links.push(`<${pageUrl(request, target, perPage)}>; rel="${rel}"`);
  if (page > 1) {
    link(1, 'first');
    link(Math.min(page - 1, lastPage), 'prev');
  }
  if (page < lastPage) {
    link(lastPage, 'last');
    link(page + 1, 'next');
  }
  reply.header('total', String(all.length)).header('per-page', String(perPage));
  if (links.length > 0) reply.header('link', links.join(', '));
  return { ok: true, items: all.slice((page - 1) * perPage, page * perPage) };
}

function positiveInteger(value: unknown, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,8}$/.test(value)) return undefined;
  return Number(value);
}

/** Absolute, on the host the client called (a proxy's name included), keeping every other parameter. */
function pageUrl(request: FastifyRequest, page: number, perPage: number): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  url.searchParams.set('page', String(page));
  url.searchParams.set('per_page', String(perPage));
  return url.toString();
}
