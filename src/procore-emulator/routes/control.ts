// The /__emulator control endpoints (SPEC 5) with which tests and the demo break and mend Procore.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OOB_REDIRECT_URI } from '../../core/index.js';
import { parseAppBody } from '../app-registration.js';
import { parseProcoreId } from '../ids.js';
import { itemJson } from '../rest-shapes.js';
import { parseTools, type ToolName } from '../seed.js';
import { applySettingsBody, parseOutageBody } from '../settings.js';
import { sendControlError } from '../responses.js';
import type { EmulatorState } from '../state.js';
import { tokenResponse } from '../tokens.js';
import {
  BadRequestError,
  asObject,
  onlyKeys,
  optionalString,
  requiredBoolean,
  requiredString,
  type JsonObject,
} from '../validation.js';
import type { Account, Project } from '../world.js';

/** Seeds for load tests hold tens of thousands of rows. */
const SEED_BODY_LIMIT = 64 * 1024 * 1024;

type LoginParams = { Params: { login: string } };
type ProjectParams = { Params: { projectId: string } };

export function registerControlRoutes(app: FastifyInstance, state: EmulatorState): void {
  const accountOr404 = (reply: FastifyReply, login: string): Account | undefined => {
    const account = state.world.accountByLogin(login);
    if (!account) sendControlError(reply, 404, 'account_not_found', `No account with login ${login}`);
    return account;
  };
  const projectOr404 = (reply: FastifyReply, rawId: string): Project | undefined => {
    const id = parseProcoreId(rawId);
    const project = id === undefined ? undefined : state.world.projects.get(id);
    if (!project) sendControlError(reply, 404, 'project_not_found', `No project with id ${rawId}`);
    return project;
  };

  app.post('/__emulator/seed', { bodyLimit: SEED_BODY_LIMIT }, async (request) => {
    const seed = state.loadSeed(request.body);
    return {
      companies: seed.companies.length,
      projects: seed.projects.length,
      accounts: seed.accounts.length,
      access: seed.access.length,
      rfis: seed.items.rfis.length,
      submittals: seed.items.submittals.length,
    };
  });

  app.post('/__emulator/reset', async () => {
    state.reset();
    return { reset: true };
  });

  app.put('/__emulator/app', async (request) => {
    state.setApp(parseAppBody(request.body));
    return state.app;
  });

  app.post<LoginParams>('/__emulator/accounts/:login/tokens', async (request, reply) => {
    const body = bodyObject(request.body);
    onlyKeys(body, ['clientId', 'redirectUri'], 'body');
    const account = accountOr404(reply, request.params.login);
    if (!account) return reply;
    const clientId = optionalString(body, 'clientId', 'body') ?? state.app.clientId;
    const ownApp = clientId === state.app.clientId;
    const fallbackUri = state.app.redirectUris.includes(OOB_REDIRECT_URI) ? OOB_REDIRECT_URI : state.app.redirectUris[0];
    const redirectUri = optionalString(body, 'redirectUri', 'body') ?? (ownApp ? fallbackUri : OOB_REDIRECT_URI);
    // As a completed sign-in would: our app only through a registered redirect URI; a foreign app is not checked.
    if (ownApp && !state.app.redirectUris.includes(redirectUri)) {
      throw new BadRequestError(`body.redirectUri ${redirectUri} is not registered for ${clientId}`);
    }
    const pair = state.tokens.mint({
      accountId: account.id,
      clientId,
      redirectUri,
      ttlSeconds: state.settings.accessTokenTtlSeconds,
      now: state.now(),
    });
    return tokenResponse(pair);
  });

  app.get<LoginParams>('/__emulator/accounts/:login/tokens', async (request, reply) => {
    const account = accountOr404(reply, request.params.login);
    if (!account) return reply;
    return state.tokens.livePairs(account.id).map((pair) => ({
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      clientId: pair.clientId,
      redirectUri: pair.redirectUri,
      expiresAt: new Date(pair.accessExpiresAt).toISOString(),
    }));
  });

  for (const [action, status] of [['revoke', 'revoked'], ['expire', 'expired']] as const) {
    app.post<LoginParams>(`/__emulator/accounts/:login/${action}`, async (request, reply) => {
      const account = accountOr404(reply, request.params.login);
      if (!account) return reply;
      return { [status]: state.tokens.endAccountPairs(account.id, status) };
    });
  }

  app.patch<LoginParams>('/__emulator/accounts/:login', async (request, reply) => {
    const body = asObject(request.body, 'body');
    onlyKeys(body, ['login'], 'body');
    const newLogin = requiredString(body, 'login', 'body');
    const account = accountOr404(reply, request.params.login);
    if (!account) return reply;
    const holder = state.world.accountByLogin(newLogin);
    if (holder && holder.id !== account.id) {
      return sendControlError(reply, 409, 'login_taken', `Login ${newLogin} belongs to account ${holder.id}`);
    }
    account.login = newLogin;
    return { id: account.id, login: account.login, name: account.name };
  });

  app.put<{ Params: { projectId: string; login: string } }>('/__emulator/projects/:projectId/access/:login', async (request, reply) => {
    const body = asObject(request.body, 'body');
    onlyKeys(body, ['allowed', 'tools'], 'body');
    const allowed = requiredBoolean(body, 'allowed', 'body');
    const project = projectOr404(reply, request.params.projectId);
    if (!project) return reply;
    const account = accountOr404(reply, request.params.login);
    if (!account) return reply;
    // Tools not named keep their current value (all allowed for a new member).
    const current = state.world.toolAccess(project.id, account.id);
    const tools = allowed ? parseTools(body.tools, 'body.tools', current) : undefined;
    state.world.setAccess(project.id, account.id, tools);
    return { projectId: project.id, login: account.login, allowed, tools: tools ?? { rfis: false, submittals: false } };
  });

  for (const [tool, field] of [['rfis', 'subject'], ['submittals', 'title']] as const) {
    app.post<ProjectParams>(`/__emulator/projects/:projectId/${tool}`, async (request, reply) => {
      const body = asObject(request.body, 'body');
      onlyKeys(body, [field], 'body');
      const text = requiredString(body, field, 'body');
      const project = projectOr404(reply, request.params.projectId);
      if (!project) return reply;
      return reply.code(201).send(itemJson(tool, state.world.addItem(tool, project.id, text, state.now())));
    });

    app.patch<{ Params: { projectId: string; itemId: string } }>(`/__emulator/projects/:projectId/${tool}/:itemId`, async (request, reply) => {
      const body = bodyObject(request.body);
      onlyKeys(body, [field], 'body');
      const text = optionalString(body, field, 'body');
      const project = projectOr404(reply, request.params.projectId);
      if (!project) return reply;
      const itemId = parseProcoreId(request.params.itemId);
      const item = itemId === undefined ? undefined : state.world.findItem(tool as ToolName, project.id, itemId);
      if (!item) return sendControlError(reply, 404, 'item_not_found', `No ${tool} item ${request.params.itemId} in project ${project.id}`);
      // An empty body only touches the item, which is how a test makes it "changed since the last sync".
      if (text !== undefined) item.text = text;
      item.updatedAt = state.now();
      return itemJson(tool, item);
    });
  }

  app.put('/__emulator/outage', async (request) => {
    state.outage = parseOutageBody(request.body);
    return state.outage;
  });

  app.put('/__emulator/settings', async (request) => {
    const next = applySettingsBody(state.settings, request.body);
    const limitsChanged =
      next.rateLimitPerWindow !== state.settings.rateLimitPerWindow ||
      next.rateLimitWindowSeconds !== state.settings.rateLimitWindowSeconds ||
      next.rateLimitScope !== state.settings.rateLimitScope;
    state.settings = next;
    if (limitsChanged) state.rateLimiter.clear();
    return state.settings;
  });

  app.get('/__emulator/stats', async () => ({ ...state.stats }));
}

/** A body that may be left out entirely (no content type, no bytes). */
function bodyObject(body: unknown): JsonObject {
  return body === undefined || body === null ? {} : asObject(body, 'body');
}
