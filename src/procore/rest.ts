// Procore's REST calls NCS makes: /me, companies, projects, the RFI and submittal tools; ids become strings here.
import type { IncomingHttpHeaders } from 'node:http';
import { ProcoreError } from './errors.js';
import { pathOf } from './http.js';
import { idParam, toIdString } from './ids.js';
import { nextPageAfter, totalFromHeaders } from './pagination.js';
import { errorFromResponse, isRecord, parseJsonBody } from './responses.js';
import { withRetries } from './retry.js';
import { urlFor, type ClientContext } from './context.js';
import type {
  ListItemsOptions,
  ProcoreCompany,
  ProcoreItem,
  ProcoreItemPage,
  ProcoreMe,
  ProcoreProject,
  ProcoreTool,
} from './types.js';

const REST = '/rest/v1.0';
const DEFAULT_PER_PAGE = 100;
/** A listing longer than this is a server that ignores `page`: stop instead of looping forever. */
export const MAX_LIST_PAGES = 10_000;
const TOOLS: readonly ProcoreTool[] = ['rfis', 'submittals'];

type Id = string | number;

interface ApiRequest {
  token: string;
  path: string;
  /** Sent as Procore-Company-Id; Procore requires it everywhere except /me and /companies. */
  companyId?: string;
  query?: Record<string, string>;
}

/** Procore's filter ranges take ISO 8601 UTC to the second; rounding outward keeps both bounds inclusive. */
function isoSeconds(date: Date, round: 'down' | 'up'): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new TypeError('updatedFrom / updatedTo must be valid dates');
  const seconds = round === 'down' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function parseProject(json: unknown, askedCompanyId: string): ProcoreProject {
  if (!isRecord(json)) throw new ProcoreError('bad_response', 'Procore sent a project that is not an object');
  const company = isRecord(json.company) ? json.company : undefined;
  return {
    id: toIdString(json.id, 'project id'),
    name: typeof json.name === 'string' ? json.name : '',
    companyId: company && company.id !== undefined && company.id !== null ? toIdString(company.id, 'company id') : askedCompanyId,
    projectNumber: typeof json.project_number === 'string' && json.project_number !== '' ? json.project_number : null,
    active: typeof json.active === 'boolean' ? json.active : null,
  };
}

function parseCompany(json: unknown): ProcoreCompany {
  if (!isRecord(json)) throw new ProcoreError('bad_response', 'Procore sent a company that is not an object');
  return {
    id: toIdString(json.id, 'company id'),
    name: typeof json.name === 'string' ? json.name : '',
    isActive: typeof json.is_active === 'boolean' ? json.is_active : null,
  };
}

function parseItem(json: unknown, tool: ProcoreTool): ProcoreItem {
  if (!isRecord(json)) throw new ProcoreError('bad_response', `Procore sent a ${tool} item that is not an object`);
  if (typeof json.updated_at !== 'string' || Number.isNaN(Date.parse(json.updated_at))) {
    throw new ProcoreError('bad_response', `Procore sent a ${tool} item without a valid updated_at`);
  }
  return { id: toIdString(json.id, `${tool} item id`), updatedAt: json.updated_at, raw: json };
}

function expectArray(json: unknown, what: string): unknown[] {
  if (!Array.isArray(json)) throw new ProcoreError('bad_response', `Procore's ${what} is not a JSON array`);
  return json;
}

function checkTool(tool: ProcoreTool): ProcoreTool {
  if (!TOOLS.includes(tool)) throw new TypeError(`tool must be one of ${TOOLS.join(', ')}`);
  return tool;
}

export function createRestCalls(ctx: ClientContext) {
  /** One GET with Bearer and, where Procore wants it, Procore-Company-Id; retried per SPEC 4.4. */
  async function apiGet(request: ApiRequest): Promise<{ json: unknown; headers: IncomingHttpHeaders }> {
    const url = urlFor(ctx.apiUrl, request.path, request.query);
    const operation = `GET ${pathOf(url)}`;
    const headers: Record<string, string> = { authorization: `Bearer ${request.token}` };
    if (request.companyId !== undefined) headers['procore-company-id'] = request.companyId;
    return withRetries(async (attempt) => {
      const response = await ctx.transport.send({ method: 'GET', url, headers, secrets: [request.token] }, attempt);
      if (response.status < 200 || response.status >= 300) throw errorFromResponse(response, operation, ctx.now(), 'rest', [request.token]);
      return { json: parseJsonBody(response, operation), headers: response.headers };
    }, { sleep: ctx.sleep, logger: ctx.logger, operation });
  }

  /**
   * Every page of a list. `pagedOnlyWithHeaders`: for endpoints Procore does not document as paginated,
   * follow pages only when Link or Total says there are more, since a server that ignores `page` would
   * otherwise send the same full page forever.
   */
  async function listAll(request: ApiRequest, what: string, pagedOnlyWithHeaders = false): Promise<unknown[]> {
    const all: unknown[] = [];
    for (let page = 1, pages = 0; ; pages++) {
      if (pages >= MAX_LIST_PAGES) throw new ProcoreError('bad_response', `Procore's ${what} did not end after ${MAX_LIST_PAGES} pages`);
      const { json, headers } = await apiGet({
        ...request,
        query: { ...request.query, page: String(page), per_page: String(DEFAULT_PER_PAGE) },
      });
      const items = expectArray(json, what);
      all.push(...items);
      if (pagedOnlyWithHeaders && headers.link === undefined && headers.total === undefined) return all;
      const next = nextPageAfter(headers, page, DEFAULT_PER_PAGE, items.length);
      if (next === null) return all;
      page = next;
    }
  }

  return {
    async getMe(token: string): Promise<ProcoreMe> {
      const { json } = await apiGet({ token, path: `${REST}/me` });
      if (!isRecord(json) || typeof json.login !== 'string') throw new ProcoreError('bad_response', 'Procore\'s /me answer lacks id or login');
      return { id: toIdString(json.id, 'user id'), login: json.login, name: typeof json.name === 'string' ? json.name : '' };
    },

    async listCompanies(token: string): Promise<ProcoreCompany[]> {
      return (await listAll({ token, path: `${REST}/companies` }, 'company list', true)).map(parseCompany);
    },

    async getProject(token: string, companyId: Id, projectId: Id): Promise<ProcoreProject> {
      const company = idParam(companyId, 'companyId');
      const { json } = await apiGet({
        token,
        path: `${REST}/projects/${idParam(projectId, 'projectId')}`,
        companyId: company,
        query: { company_id: company },
      });
      return parseProject(json, company);
    },

    /** The projects the account was added to in the company (all of them for a company admin), every page. */
    async listProjects(token: string, companyId: Id): Promise<ProcoreProject[]> {
      const company = idParam(companyId, 'companyId');
      const items = await listAll({ token, path: `${REST}/projects`, companyId: company, query: { company_id: company } }, 'project list');
      return items.map((item) => parseProject(item, company));
    },

    /** Resolves when the account can list the tool; throws forbidden / not_found when it cannot. */
    async probeTool(token: string, companyId: Id, projectId: Id, tool: ProcoreTool): Promise<void> {
      const { json } = await apiGet({
        token,
        path: `${REST}/projects/${idParam(projectId, 'projectId')}/${checkTool(tool)}`,
        companyId: idParam(companyId, 'companyId'),
        query: { per_page: '1' },
      });
      expectArray(json, `${tool} list`);
    },

    /**
     * One page of RFIs or submittals updated in [updatedFrom, updatedTo]. With only one bound given, the
     * other is open: the epoch, or now.
     */
    async listItems(token: string, companyId: Id, projectId: Id, tool: ProcoreTool, options: ListItemsOptions = {}): Promise<ProcoreItemPage> {
      const page = options.page ?? 1;
      const perPage = options.perPage ?? DEFAULT_PER_PAGE;
      if (!Number.isSafeInteger(page) || page < 1) throw new TypeError('page must be a positive integer');
      if (!Number.isSafeInteger(perPage) || perPage < 1) throw new TypeError('perPage must be a positive integer');
      const query: Record<string, string> = { page: String(page), per_page: String(perPage) };
      if (options.updatedFrom || options.updatedTo) {
        const from = isoSeconds(options.updatedFrom ?? new Date(0), 'down');
        const to = isoSeconds(options.updatedTo ?? new Date(ctx.now()), 'up');
        query['filters[updated_at]'] = `${from}...${to}`;
      }
      const { json, headers } = await apiGet({
        token,
        path: `${REST}/projects/${idParam(projectId, 'projectId')}/${checkTool(tool)}`,
        companyId: idParam(companyId, 'companyId'),
        query,
      });
      const items = expectArray(json, `${tool} list`).map((item) => parseItem(item, tool));
      return { items, nextPage: nextPageAfter(headers, page, perPage, items.length), total: totalFromHeaders(headers) };
    },
  };
}
