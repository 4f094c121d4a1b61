// GET/POST /oauth/authorize and sign-out: Procore's sign-in and consent pages, with its sign-in cookie.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OOB_REDIRECT_URI } from '../../core/index.js';
import { readCookie, readFields } from '../body.js';
import { authorizePage, errorPage, oobCodePage, oobErrorPage, signedOutPage, type AuthorizeRequestFields } from '../html.js';
import { sendHtmlPage } from '../responses.js';
import type { EmulatorState } from '../state.js';
import type { Account } from '../world.js';

export const SIGN_IN_COOKIE = '_procore_emulator_session';
const SIGN_OUT_PATH = '/oauth/sign_out';
const AUTHORIZE_FIELDS = ['response_type', 'client_id', 'redirect_uri', 'state'] as const;

export function registerAuthorizeRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.get('/oauth/authorize', async (request, reply) => {
    const checked = checkAuthorizeRequest(state, request.query);
    if (!checked.ok) return sendHtmlPage(reply, 400, errorPage('Invalid authorization request', checked.message));
    const authz = checked.request;
    if (authz.responseType !== 'code') return finish(reply, authz, responseTypeError(authz));
    const accountId = state.sessionAccount(readCookie(request.headers.cookie, SIGN_IN_COOKIE));
    const account = accountId === undefined ? undefined : state.world.accounts.get(accountId);
    return sendHtmlPage(reply, 200, authorizePage({ request: authz, signedInLogin: account?.login, signOutHref: signOutHref(authz) }));
  });

  app.post('/oauth/authorize', async (request, reply) => {
    const checked = checkAuthorizeRequest(state, request.body);
    if (!checked.ok) return sendHtmlPage(reply, 400, errorPage('Invalid authorization request', checked.message));
    const authz = checked.request;
    if (authz.responseType !== 'code') return finish(reply, authz, responseTypeError(authz));
    const read = readFields(request.body, ['login', 'password', 'decision']);
    if (!read.ok) return sendHtmlPage(reply, 400, errorPage('Invalid authorization request', read.message));
    const { login, password, decision } = read.fields;
    // Refusing needs no sign-in: the user may simply not want to grant access.
    if (decision === 'deny') return finish(reply, authz, { error: 'access_denied' });

    const sessionId = readCookie(request.headers.cookie, SIGN_IN_COOKIE);
    let account: Account | undefined;
    if (login !== undefined || password !== undefined) {
      account = verifyPassword(state, login ?? '', password ?? '');
      if (!account) {
        return sendHtmlPage(reply, 200, authorizePage({ request: authz, signOutHref: signOutHref(authz), error: 'Invalid login or password.', login }));
      }
      state.endSession(sessionId);
      reply.header('set-cookie', signInCookie(state.startSession(account.id)));
    } else {
      const accountId = state.sessionAccount(sessionId);
      account = accountId === undefined ? undefined : state.world.accounts.get(accountId);
      if (!account) {
        return sendHtmlPage(reply, 200, authorizePage({ request: authz, signOutHref: signOutHref(authz), error: 'Sign in to continue.' }));
      }
    }
    if (decision !== 'allow') {
      return sendHtmlPage(
        reply,
        200,
        authorizePage({ request: authz, signedInLogin: account.login, signOutHref: signOutHref(authz), error: 'Choose Allow or Deny.' }),
      );
    }
    const code = state.tokens.issueCode({ accountId: account.id, clientId: authz.clientId, redirectUri: authz.redirectUri, now: state.now() });
    return finish(reply, authz, { code: code.code });
  });

  const signOut = async (request: FastifyRequest, reply: FastifyReply) => {
    state.endSession(readCookie(request.headers.cookie, SIGN_IN_COOKIE));
    reply.header('set-cookie', `${SIGN_IN_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    const returnTo = (request.query as Record<string, unknown>).return_to;
    // Only back to the authorize page on this host: anything else would make sign-out an open redirect.
    if (typeof returnTo === 'string' && /^\/oauth\/authorize(\?|$)/.test(returnTo)) return reply.redirect(returnTo, 302);
    return sendHtmlPage(reply, 200, signedOutPage());
  };
  app.get(SIGN_OUT_PATH, signOut);
  app.post(SIGN_OUT_PATH, signOut);
}

type Checked = { ok: true; request: AuthorizeRequestFields } | { ok: false; message: string };

/** Client and redirect URI first: until both are known good, nothing may be sent to the redirect URI. */
function checkAuthorizeRequest(state: EmulatorState, source: unknown): Checked {
  const read = readFields(source, AUTHORIZE_FIELDS);
  if (!read.ok) return read;
  const { client_id: clientId, redirect_uri: redirectUri, state: oauthState, response_type: responseType } = read.fields;
  if (clientId === undefined) return { ok: false, message: 'The request has no client_id.' };
  if (clientId !== state.app.clientId) return { ok: false, message: 'Client authentication failed due to unknown client.' };
  if (redirectUri === undefined) return { ok: false, message: 'The request has no redirect_uri.' };
  if (!state.app.redirectUris.includes(redirectUri)) {
    return { ok: false, message: 'The redirect URI is not registered for this application.' };
  }
  return { ok: true, request: { clientId, redirectUri, state: oauthState, responseType: responseType ?? '' } };
}

function responseTypeError(authz: AuthorizeRequestFields): { error: string } {
  return { error: authz.responseType === '' ? 'invalid_request' : 'unsupported_response_type' };
}

/** Sends the outcome to the exact registered redirect URI, or shows it when the app is out-of-band. */
function finish(reply: FastifyReply, authz: AuthorizeRequestFields, outcome: { code: string } | { error: string }): FastifyReply {
  if (authz.redirectUri === OOB_REDIRECT_URI) {
    return 'code' in outcome ? sendHtmlPage(reply, 200, oobCodePage(outcome.code)) : sendHtmlPage(reply, 200, oobErrorPage(outcome.error));
  }
  const params = new URLSearchParams('code' in outcome ? { code: outcome.code } : { error: outcome.error });
  // Procore's SDK sends no state; a callback then gets none rather than an empty one.
  if (authz.state !== undefined) params.set('state', authz.state);
  // Appended as text: a URL parser would normalise the registered URI (e.g. add a trailing slash).
  const separator = authz.redirectUri.includes('?') ? '&' : '?';
  return reply.header('cache-control', 'no-store').redirect(`${authz.redirectUri}${separator}${params.toString()}`, 302);
}

function signOutHref(authz: AuthorizeRequestFields): string {
  const params = new URLSearchParams({ response_type: authz.responseType, client_id: authz.clientId, redirect_uri: authz.redirectUri });
  if (authz.state !== undefined) params.set('state', authz.state);
  return `${SIGN_OUT_PATH}?${new URLSearchParams({ return_to: `/oauth/authorize?${params.toString()}` }).toString()}`;
}

function signInCookie(sessionId: string): string {
  return `${SIGN_IN_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${12 * 3600}`;
}

function verifyPassword(state: EmulatorState, login: string, password: string): Account | undefined {
  const account = state.world.accountByLogin(login);
  const digest = (text: string) => createHash('sha256').update(text).digest();
  // Compared as digests in constant time even for an unknown login, so timing says nothing.
  const matches = timingSafeEqual(digest(account?.password ?? '\u0000no account'), digest(password));
  return account && matches ? account : undefined;
}
