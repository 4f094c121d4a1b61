// The REST subset NCS uses (/rest/v1.0): bearer auth, rate limits, Procore-Company-Id, per-tool access.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../body.js';
import { parseProcoreId, type ProcoreId } from '../ids.js';
import { paginate } from '../pagination.js';
import { sendRestError } from '../responses.js';
import type { ToolName } from '../seed.js';
import type { EmulatorState } from '../state.js';
import type { RateLimitVerdict } from '../rate-limit.js';
import type { EmulatorSettings } from '../settings.js';
import { parseIsoTimestamp } from '../validation.js';
import type { Account, Project } from '../world.js';
import { companyJson, itemJson, projectJson } from '../rest-shapes.js';

const INVALID_TOKEN = 'The access token is invalid';

interface Caller {
  account: Account;
}

export function registerRestRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.register(
    async (rest) => {
      const callers = new WeakMap<FastifyRequest, Caller>();
      const callerOf = (request: FastifyRequest): Caller => {
        const caller = callers.get(request);
        if (!caller) throw new Error('REST route reached without an authenticated caller');
        return caller;
      };

      rest.addHook('onRequest', async (request, reply) => {
        const token = bearerToken(request.headers.authorization);
        const pair = token === undefined ? undefined : state.tokens.usableAccessPair(token, state.now());
        const account = pair === undefined ? undefined : state.world.accounts.get(pair.accountId);
        if (!pair || !account) {
          reply.header('www-authenticate', `Bearer realm="Procore", error="invalid_token", error_description="${INVALID_TOKEN}"`);
          return sendRestError(reply, 401, INVALID_TOKEN);
        }
        const key = state.settings.rateLimitScope === 'app' ? `app:${pair.clientId}` : `account:${account.id}`;
        const verdict = state.rateLimiter.take(key, state.settings, state.now());
        setRateLimitHeaders(reply, verdict, state.settings);
        if (verdict.limited) return sendRestError(reply, 429, 'Rate limit exceeded. Retry after the window resets.');
        callers.set(request, { account });
      });

      rest.get('/me', async (request) => {
        const { account } = callerOf(request);
        return { id: account.id, login: account.login, name: account.name };
      });

      rest.get('/companies', async (request) => {
        return state.world.companiesOf(callerOf(request).account.id).map(companyJson);
      });

      rest.get('/projects', async (request, reply) => {
        const company = companyScope(request, reply, true);
        if (company === undefined) return reply;
        const projects = state.world.projectsOf(company, callerOf(request).account.id);
        const page = paginate(request, reply, projects);
        if (!page.ok) return sendRestError(reply, 400, page.message);
        return page.items.map((project) => projectJson(state, project));
      });

      rest.get<{ Params: { projectId: string } }>('/projects/:projectId', async (request, reply) => {
        const company = companyScope(request, reply, true);
        if (company === undefined) return reply;
        const project = visibleProject(state, request.params.projectId, company, callerOf(request).account);
        if (!project) return sendRestError(reply, 404, 'Not Found');
        return projectJson(state, project);
      });

      for (const tool of ['rfis', 'submittals'] as const) {
        rest.get<{ Params: { projectId: string } }>(`/projects/:projectId/${tool}`, async (request, reply) => {
          const company = companyScope(request, reply, false);
          if (company === undefined) return reply;
          const { account } = callerOf(request);
          const project = visibleProject(state, request.params.projectId, company, account);
          // Procore answers 404 for what the user cannot see at all, 403 for a tool they may not use.
          if (!project) return sendRestError(reply, 404, 'Not Found');
          if (!state.world.toolAccess(project.id, account.id)?.[tool]) {
            return sendRestError(reply, 403, `You do not have permission to view ${TOOL_LABELS[tool]} in this project.`);
          }
          const range = updatedAtRange(request);
          if (!range.ok) return sendRestError(reply, 400, range.message);
          const items = state.world.items(tool, project.id).filter((item) => item.updatedAt >= range.from && item.updatedAt <= range.to);
          const page = paginate(request, reply, items);
          if (!page.ok) return sendRestError(reply, 400, page.message);
          return page.items.map((item) => itemJson(tool, item));
        });
      }
    },
    { prefix: '/rest/v1.0' },
  );
}

const TOOL_LABELS: Record<ToolName, string> = { rfis: 'RFIs', submittals: 'Submittals' };

function setRateLimitHeaders(reply: FastifyReply, verdict: RateLimitVerdict, settings: EmulatorSettings): void {
  reply.header('x-rate-limit-limit', String(verdict.limit)).header('x-rate-limit-remaining', String(verdict.remaining));
  // In "retry-after" mode the reset time is never shown, so a client must honour Retry-After to pass.
  if (settings.rateLimitHeaders !== 'retry-after') reply.header('x-rate-limit-reset', String(verdict.resetAt));
  if (verdict.limited && settings.rateLimitHeaders !== 'reset') reply.header('retry-after', String(verdict.retryAfterSeconds));
}

/**
 * The company the call is scoped to. Procore-Company-Id is required (tutorial_mpz.md); where the route
 * also takes `company_id`, both are required and must agree, so a client mixing companies fails loudly.
 */
function companyScope(request: FastifyRequest, reply: FastifyReply, needsQuery: boolean): ProcoreId | undefined {
  const header = request.headers['procore-company-id'];
  if (header === undefined || header === '') {
    sendRestError(reply, 400, 'Missing Procore-Company-Id header!');
    return undefined;
  }
  const company = parseProcoreId(Array.isArray(header) ? undefined : header);
  if (company === undefined) {
    sendRestError(reply, 400, 'Invalid Procore-Company-Id header!');
    return undefined;
  }
  if (!needsQuery) return company;
  const raw = (request.query as Record<string, unknown>).company_id;
  if (raw === undefined || raw === '') {
    sendRestError(reply, 400, 'company_id is missing');
    return undefined;
  }
  if (parseProcoreId(raw) !== company) {
    sendRestError(reply, 400, 'company_id does not match the Procore-Company-Id header');
    return undefined;
  }
  return company;
}

/** The project if it exists in that company and the account was added to it. */
function visibleProject(state: EmulatorState, rawId: string, company: ProcoreId, account: Account): Project | undefined {
  const id = parseProcoreId(rawId);
  const project = id === undefined ? undefined : state.world.projects.get(id);
  if (!project || project.companyId !== company) return undefined;
  return state.world.toolAccess(project.id, account.id) === undefined ? undefined : project;
}

type Range = { ok: true; from: number; to: number } | { ok: false; message: string };

/** `filters[updated_at]=<from>...<to>`, both bounds inclusive; absent means everything. */
function updatedAtRange(request: FastifyRequest): Range {
  const raw = (request.query as Record<string, unknown>)['filters[updated_at]'];
  if (raw === undefined) return { ok: true, from: -Infinity, to: Infinity };
  const parts = typeof raw === 'string' ? raw.split('...') : [];
  const from = parts.length === 2 ? parseIsoTimestamp(parts[0]) : undefined;
  const to = parts.length === 2 ? parseIsoTimestamp(parts[1]) : undefined;
  if (from === undefined || to === undefined) {
    return { ok: false, message: 'filters[updated_at] must be a range of two ISO 8601 times: <from>...<to>' };
  }
  return { ok: true, from, to };
}
