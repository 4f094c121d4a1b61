// The Connected Projects web portal (SPEC 7) as a Fastify plugin under /connectorweb: cookie session, CSRF, reconnect.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NcsError, type ProjectItem } from '../../core/index.js';
import type { ServerDeps } from '../deps.js';
import { signIn, signOut } from '../directory/index.js';
import { splitDomain } from '../directory/usernames.js';
import { authenticateBearer, type Viewer } from '../http/authenticate.js';
import { authorizeProjectAction, mayDo } from '../projects/access.js';
import { queryProjectPage } from '../projects/list-query.js';
import { loadProjectDetail } from '../projects/project-state.js';
import { consumeAttempt, findAttemptByState, startReconnectAttempt } from '../reconnect/attempts.js';
import { completeWithCode } from '../reconnect/complete.js';
import { SESSION_PREFIX } from '../directory/sessions.js';
import { expireCookie, parseCookies, serializeCookie } from './cookies.js';
import { securityHeaders } from './html.js';
import { BASE, editPage, errorPage, projectsPage, signInPage, type SignedInView } from './pages.js';
import { attemptBinding, boundAttemptId, csrfTokenFor, newSignInCsrfToken, openFlash, sameSecret, sealFlash, type FlashMessage } from './tokens.js';

export const SESSION_COOKIE = 'ncs_portal_session';
export const SIGN_IN_CSRF_COOKIE = 'ncs_portal_csrf';
export const FLASH_COOKIE = 'ncs_portal_flash';
export const ATTEMPT_COOKIE = 'ncs_portal_attempt';
export const CALLBACK_PATH = `${BASE}/oauth/callback`;

interface PortalSession {
  token: string;
  viewer: Viewer;
}

type FormBody = Record<string, string | string[] | undefined>;

function field(body: unknown, name: string): string | undefined {
  const value = (body as FormBody | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

export default async function portalRoutes(app: FastifyInstance, { deps }: { deps: ServerDeps }): Promise<void> {
  await app.register(formbody);
  // HTML pages, not API: they stay out of the OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  const publicOrigin = deps.config.publicUrl ? new URL(deps.config.publicUrl).origin : '';
  const secure = publicOrigin.startsWith('https:');
  const headers = securityHeaders(publicOrigin || 'http://localhost', deps.config.procore.loginUrl);
  const publicHost = publicOrigin ? new URL(publicOrigin).host : '';
  const callbackUri = `${deps.config.publicUrl}${CALLBACK_PATH}`;

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers);
    // A request on another host goes to NCS_PUBLIC_URL, so cookies and the OAuth callback share one origin.
    if (publicHost && request.host.toLowerCase() !== publicHost) {
      const target = request.method === 'GET' || request.method === 'HEAD' ? request.url : `${BASE}/Projects`;
      return reply.redirect(`${publicOrigin}${target}`, request.method === 'GET' || request.method === 'HEAD' ? 302 : 303);
    }
  });

  const sendHtml = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);

  async function sessionOf(request: FastifyRequest): Promise<PortalSession | undefined> {
    const token = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    if (!token || !token.startsWith(SESSION_PREFIX)) return undefined;
    try {
      const viewer = await authenticateBearer(deps, `Bearer ${token}`);
      return viewer.tokenKind === 'session' ? { token, viewer } : undefined;
    } catch (error) {
      if (error instanceof NcsError) return undefined;
      throw error;
    }
  }

  const viewOf = (session: PortalSession): SignedInView => ({
    displayName: session.viewer.displayName,
    username: session.viewer.username,
    csrfToken: csrfTokenFor(session.token),
  });

  function csrfValid(request: FastifyRequest, session: PortalSession): boolean {
    return sameSecret(field(request.body, 'csrf'), csrfTokenFor(session.token));
  }

  function renderSignIn(reply: FastifyReply, status: number, input: { username?: string; error?: { title: string; lines: string[] } } = {}) {
    const csrfToken = newSignInCsrfToken();
    reply.header('set-cookie', serializeCookie(SIGN_IN_CSRF_COOKIE, csrfToken, { secure }));
    return sendHtml(reply, status, signInPage({ csrfToken, ...input }));
  }

  const signedOutPage = (reply: FastifyReply) =>
    renderSignIn(reply, 401, { error: { title: 'Please sign in again.', lines: ['Your session has ended or was never started. Nothing was changed.'] } });

  const refuseCsrf = (reply: FastifyReply, session?: PortalSession) =>
    sendHtml(reply, 403, errorPage('The form has expired.', ['Open the page again and repeat what you did. Nothing was changed.'], session && viewOf(session)));

  app.setNotFoundHandler(async (request, reply) => {
    const session = await sessionOf(request);
    return sendHtml(reply, 404, errorPage('Page not found.', ['There is no such page here.'], session && viewOf(session)));
  });

  app.setErrorHandler(async (error, request, reply) => {
    const status = error instanceof NcsError ? error.httpStatus : typeof (error as { statusCode?: number }).statusCode === 'number' && (error as { statusCode: number }).statusCode < 500 ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'portal request failed');
    const message = status >= 500 ? 'Something went wrong on the server. Nothing was changed; try again.' : 'The request could not be understood. Nothing was changed.';
    return sendHtml(reply, status, errorPage('The request failed.', [message]));
  });

  app.get('/', async (_request, reply) => reply.redirect(`${BASE}/Projects`, 303));

  app.get('/Projects', async (request, reply) => {
    const session = await sessionOf(request);
    if (!session) return renderSignIn(reply, 200);
    const { viewer } = session;
    const page = await queryProjectPage(deps.db, { scope: viewer.isGlobalAdmin ? { all: true } : { all: false, usernameKey: viewer.usernameKey } });
    const items = JSON.parse(`[${page.itemsJson}]`) as ProjectItem[];
    const flash = openFlash(session.token, parseCookies(request.headers.cookie).get(FLASH_COOKIE));
    if (parseCookies(request.headers.cookie).has(FLASH_COOKIE)) reply.header('set-cookie', expireCookie(FLASH_COOKIE, { secure }));
    const hasAnyRole = viewer.isGlobalAdmin || items.length > 0;
    return sendHtml(reply, 200, projectsPage({ viewer: viewOf(session), items, hasAnyRole, flash }));
  });

  app.post('/sign-in', async (request, reply) => {
    const username = field(request.body, 'username') ?? '';
    const password = field(request.body, 'password') ?? '';
    const cookieCsrf = parseCookies(request.headers.cookie).get(SIGN_IN_CSRF_COOKIE);
    if (!cookieCsrf || !sameSecret(field(request.body, 'csrf'), cookieCsrf)) {
      return renderSignIn(reply, 403, { username, error: { title: 'The sign-in form has expired.', lines: ['Please sign in again.'] } });
    }
    const previous = await sessionOf(request);
    try {
      const created = await signIn(deps, { username, password, clientAddress: request.ip });
      // A new session id at every sign-in: whatever session the browser held before is ended.
      if (previous) await signOut(deps, previous.viewer, request.ip);
      reply.header('set-cookie', [
        serializeCookie(SESSION_COOKIE, created.token, { secure }),
        expireCookie(SIGN_IN_CSRF_COOKIE, { secure }),
      ]);
      return reply.redirect(`${BASE}/Projects`, 303);
    } catch (error) {
      if (!(error instanceof NcsError)) throw error;
      if (error.code === 'username_includes_domain') {
        const parts = splitDomain(username.trim());
        const bare = parts?.bare ?? '';
        const lines = bare
          ? [`Type your username without the domain: use ${bare}, not ${username.trim()}.`]
          : ['Type your username without the domain, for example jsmith, not DEMO\\jsmith.'];
        return renderSignIn(reply, 400, { username: bare, error: { title: 'Use your username without the domain.', lines } });
      }
      if (error.code === 'too_many_sign_in_attempts') {
        if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
        return renderSignIn(reply, 429, { username, error: { title: 'Too many failed sign-ins.', lines: [error.message] } });
      }
      if (error.code === 'invalid_credentials') {
        return renderSignIn(reply, 401, { username, error: { title: 'The username or password is not right.', lines: ['Check both and try again. After 5 failed tries, sign-in is paused for 15 minutes.'] } });
      }
      return renderSignIn(reply, error.httpStatus, { username, error: { title: 'Sign-in failed.', lines: [error.message] } });
    }
  });

  app.post('/sign-out', async (request, reply) => {
    const session = await sessionOf(request);
    if (session) {
      if (!csrfValid(request, session)) return refuseCsrf(reply, session);
      await signOut(deps, session.viewer, request.ip);
    }
    reply.header('set-cookie', [expireCookie(SESSION_COOKIE, { secure }), expireCookie(ATTEMPT_COOKIE, { secure }), expireCookie(FLASH_COOKIE, { secure })]);
    return reply.redirect(`${BASE}/Projects`, 303);
  });

  /** The project when the viewer may do the action; a 404 page for projects they may not see. */
  async function projectFor(reply: FastifyReply, session: PortalSession, ref: string, action: 'view' | 'reconnect') {
    try {
      return await authorizeProjectAction(deps, session.viewer, ref, action);
    } catch (error) {
      if (!(error instanceof NcsError) || (error.code !== 'project_not_found' && error.code !== 'forbidden')) throw error;
      const notFound = error.code === 'project_not_found';
      await sendHtml(reply, notFound ? 404 : 403, errorPage(notFound ? 'Project not found.' : 'Not allowed.', [notFound ? 'There is no such project, or you may not see it.' : error.message], viewOf(session)));
      return undefined;
    }
  }

  app.get('/Projects/:id/Edit', async (request, reply) => {
    const session = await sessionOf(request);
    if (!session) return signedOutPage(reply);
    const access = await projectFor(reply, session, (request.params as { id: string }).id, 'view');
    if (!access) return reply;
    const detail = await loadProjectDetail(deps.db, access.project.id);
    return sendHtml(reply, 200, editPage(viewOf(session), detail, mayDo(access.roles, 'reconnect')));
  });

  app.post('/Projects/:id/Reconnect', async (request, reply) => {
    const session = await sessionOf(request);
    if (!session) return signedOutPage(reply);
    if (!csrfValid(request, session)) return refuseCsrf(reply, session);
    const access = await projectFor(reply, session, (request.params as { id: string }).id, 'reconnect');
    if (!access) return reply;
    const started = await startReconnectAttempt(deps, { viewer: session.viewer, project: access.project, roles: access.roles, redirectUri: callbackUri });
    reply.header('set-cookie', serializeCookie(ATTEMPT_COOKIE, attemptBinding(session.token, started.attemptId), { secure, maxAgeSeconds: 600 }));
    return reply.redirect(started.authorizeUrl, 303);
  });

  app.get('/oauth/callback', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const session = await sessionOf(request);
    const badState = () =>
      sendHtml(reply, 400, errorPage('This sign-in cannot be used.', [
        'The Procore sign-in did not come back to the session that started it, was already used, or has expired. Nothing was changed.',
        'Open the project again and click Reconnect.',
      ], session && viewOf(session)));
    if (!session) return badState();
    const state = typeof query.state === 'string' ? query.state : '';
    const attempt = state ? await findAttemptByState(deps, state) : undefined;
    // Bound to the portal session: an attempt started elsewhere (even by the same user) is not touched.
    const boundId = boundAttemptId(session.token, parseCookies(request.headers.cookie).get(ATTEMPT_COOKIE));
    if (!attempt || attempt.id !== boundId || attempt.username_key !== session.viewer.usernameKey || attempt.used_at) return badState();

    const access = await projectFor(reply, session, attempt.project_id, 'reconnect');
    if (!access) return reply;
    let flash: FlashMessage;
    const code = typeof query.code === 'string' ? query.code : '';
    if (!code) {
      await consumeAttempt(deps, { attemptId: attempt.id, state, usernameKey: session.viewer.usernameKey, projectId: attempt.project_id }, session.viewer.username, access.project.number).catch(() => undefined);
      flash = { kind: 'error', title: `${access.project.number} was not reconnected.`, lines: ['The Procore sign-in was cancelled or refused. Nothing was changed.'] };
    } else {
      flash = await completeInPortal(deps, session.viewer, access, { attemptId: attempt.id, state, code });
    }
    reply.header('set-cookie', [
      serializeCookie(FLASH_COOKIE, sealFlash(session.token, flash), { secure }),
      expireCookie(ATTEMPT_COOKIE, { secure }),
    ]);
    return reply.redirect(`${BASE}/Projects`, 303);
  });
}

async function completeInPortal(
  deps: ServerDeps,
  viewer: Viewer,
  access: Awaited<ReturnType<typeof authorizeProjectAction>>,
  body: { attemptId: string; state: string; code: string },
): Promise<FlashMessage> {
  const number = access.project.number;
  try {
    const accepted = await completeWithCode(deps, viewer, access, body);
    const restored = accepted.restored.map((item) => `${item.number} ${item.name}`);
    return {
      kind: 'success',
      title: `${number} is reconnected as ${accepted.account.login}.`,
      lines: [
        `Restored: ${restored.join(', ')}.`,
        ...(accepted.restoredOther > 0 ? [`${accepted.restoredOther} other project${accepted.restoredOther === 1 ? '' : 's'} you cannot see ${accepted.restoredOther === 1 ? 'was' : 'were'} restored too.`] : []),
      ],
    };
  } catch (error) {
    if (!(error instanceof NcsError)) throw error;
    if (error.code === 'account_mismatch') {
      const details = error.details as { signedIn?: { login?: string }; expected?: string[] } | undefined;
      const expected = details?.expected ?? [];
      return {
        kind: 'error',
        title: `${number} was not reconnected: wrong Procore account.`,
        lines: [
          `You signed in to Procore as ${details?.signedIn?.login ?? 'another account'}, but ${expected.length === 1 ? `the expected account is ${expected[0]}` : `the expected accounts are ${expected.join(', ')}`}.`,
          'Nothing was changed. Sign out of Procore, then click Reconnect again and sign in as the expected account.',
        ],
      };
    }
    return { kind: 'error', title: `${number} was not reconnected.`, lines: [error.message] };
  }
}
