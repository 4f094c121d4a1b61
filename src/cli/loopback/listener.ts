// The loopback listener of SPEC 6.2 (items 1 and 5): binds the first free redirect URI, accepts exactly one callback, answers with the verdict.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PAGE_HEADERS, PAGES, renderPage, type LoopbackPage } from './pages.js';
import type { LoopbackAddress, LoopbackRedirect } from './redirect-uri.js';

/** What Procore sent back with the expected `state`. */
export type CallbackResult = { kind: 'code'; code: string } | { kind: 'error'; error: string; description?: string };

export type RefusalReason = 'wrong_host' | 'wrong_path' | 'wrong_method' | 'state_mismatch' | 'incomplete' | 'already_received' | 'not_ready';

/** Listens on one address; the seam for tests that play a machine without IPv6 or with a busy port. */
export type ListenOn = (server: Server, address: LoopbackAddress, port: number) => Promise<void>;

export interface ListenerOptions {
  /** Told about every request that was refused, so that the terminal can say the wait goes on. */
  onRefused?: (reason: RefusalReason) => void;
  /**
   * How long the browser's request is held for the verdict before a "still checking" page answers
   * it; below 20 s, so that the page always shows something definite within 20 s (SPEC 6.2 item 5).
   */
  verdictWaitMs?: number;
  listenOn?: ListenOn;
}

export const VERDICT_WAIT_MS = 18_000;

export const listenOn: ListenOn = (server, address, port) =>
  new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address, port, exclusive: true });
  });

/** Errors that mean "this machine has no such address family" rather than "somebody uses the port". */
const FAMILY_MISSING = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EPROTONOSUPPORT']);

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time comparison of the presented and the expected state (equal-length digests). */
function stateMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}

export class LoopbackListener {
  readonly redirect: LoopbackRedirect;
  readonly #servers: Server[];
  readonly #options: ListenerOptions;
  #expectedState?: string;
  #received = false;
  #held?: ServerResponse;
  #heldTimer?: NodeJS.Timeout;
  #closed?: Promise<void>;
  readonly #lastPages: Promise<void>[] = [];
  #settle!: (result: CallbackResult) => void;
  readonly #callback: Promise<CallbackResult>;

  /** Use `bindLoopback`: it binds the servers and routes their requests to `handle`. */
  constructor(redirect: LoopbackRedirect, servers: Server[], options: ListenerOptions) {
    this.redirect = redirect;
    this.#servers = servers;
    this.#options = options;
    this.#callback = new Promise((resolve) => (this.#settle = resolve));
  }

  get redirectUri(): string {
    return this.redirect.uri;
  }

  /** The `state` of the attempt; before it is known every callback is refused. */
  expectState(state: string): void {
    this.#expectedState = state;
  }

  /** The first callback on the exact path and Host with the expected state; never rejects. */
  callback(): Promise<CallbackResult> {
    return this.#callback;
  }

  /**
   * Answers the browser's held request with the verdict (if it is still held), then closes the
   * listener. Safe to call more than once and when no callback came.
   */
  finish(page: LoopbackPage): Promise<void> {
    this.#answerHeld(200, page);
    return this.close();
  }

  /** Closes every socket once the last page is out; a request still held gets the "stopped" page first. */
  close(): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#answerHeld(200, PAGES.cancelled);
    this.#closed = (async () => {
      // The verdict (or denial) page must reach the browser before its socket is destroyed.
      await Promise.all(this.#lastPages);
      await Promise.all(
        this.#servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              // Keep-alive and speculative connections of the browser would keep the port open otherwise.
              server.closeAllConnections();
            }),
        ),
      );
    })();
    return this.#closed;
  }

  #answerHeld(status: number, page: LoopbackPage): void {
    const held = this.#held;
    if (!held) return;
    this.#held = undefined;
    clearTimeout(this.#heldTimer);
    this.#sendLast(held, status, page);
  }

  /** Sends a page after which the connection closes, and remembers to let it finish before closing. */
  #sendLast(response: ServerResponse, status: number, page: LoopbackPage): void {
    if (!send(response, status, page, true)) return;
    this.#lastPages.push(
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        response.once('finish', done);
        response.once('close', done);
      }),
    );
  }

  #refuse(response: ServerResponse, status: number, page: LoopbackPage, reason: RefusalReason, headers: Record<string, string> = {}): void {
    send(response, status, page, false, headers);
    this.#options.onRefused?.(reason);
  }

  /** Every request on every bound address comes here. */
  handle(request: IncomingMessage, response: ServerResponse): void {
    // The Host check defeats DNS rebinding: a page elsewhere cannot reach this listener under its own name.
    if ((request.headers.host ?? '').toLowerCase() !== this.redirect.hostHeader) {
      return this.#refuse(response, 400, PAGES.wrongHost, 'wrong_host');
    }
    // The exact path, compared as sent: no normalisation ("//x/callback", "/a/../callback" do not count).
    const target = request.url ?? '';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    if (path !== this.redirect.path) return this.#refuse(response, 404, PAGES.notFound, 'wrong_path');
    const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
    if (request.method !== 'GET') return this.#refuse(response, 405, PAGES.methodNotAllowed, 'wrong_method', { allow: 'GET' });
    if (this.#received) return this.#refuse(response, 409, PAGES.alreadyReceived, 'already_received');
    if (this.#expectedState === undefined) return this.#refuse(response, 503, PAGES.notReady, 'not_ready');

    const state = query.get('state');
    // Every answer without the expected state is refused, `error=` ones included: anyone can send those.
    if (state === null || !stateMatches(state, this.#expectedState)) return this.#refuse(response, 400, PAGES.stateMismatch, 'state_mismatch');
    const error = query.get('error');
    const code = query.get('code');
    if (error) {
      this.#received = true;
      const description = query.get('error_description') ?? undefined;
      this.#sendLast(response, 200, deniedPage(error));
      this.#settle({ kind: 'error', error, ...(description ? { description } : {}) });
      return;
    }
    if (!code) return this.#refuse(response, 400, PAGES.incomplete, 'incomplete');
    this.#received = true;
    // Held until the backend's verdict is known (finish), so that this one page shows the verdict.
    this.#held = response;
    this.#heldTimer = setTimeout(() => this.#answerHeld(200, PAGES.stillChecking), this.#options.verdictWaitMs ?? VERDICT_WAIT_MS);
    response.on('close', () => {
      if (this.#held === response) {
        this.#held = undefined;
        clearTimeout(this.#heldTimer);
      }
    });
    this.#settle({ kind: 'code', code });
  }
}

export function deniedPage(error: string): LoopbackPage {
  return error === 'access_denied'
    ? { title: 'Access not granted', paragraphs: ['Procore access was not granted, so nothing was changed.', 'You can close this tab; the terminal says what to do next.'], tone: 'failure' }
    : { title: 'Procore sign-in failed', paragraphs: [`Procore answered with the error "${error}". Nothing was changed.`, 'You can close this tab; the terminal says what to do next.'], tone: 'failure' };
}

/** Writes a page; false when the response can no longer be written (the browser went away). */
function send(response: ServerResponse, status: number, page: LoopbackPage, last: boolean, headers: Record<string, string> = {}): boolean {
  if (response.headersSent || response.destroyed) return false;
  const body = renderPage(page);
  response.writeHead(status, {
    ...PAGE_HEADERS,
    ...headers,
    'content-length': String(Buffer.byteLength(body)),
    ...(last ? { connection: 'close' } : {}),
  });
  response.end(body);
  return true;
}

export interface BusyRedirect {
  uri: string;
  port: number;
  /** `in_use`: something listens there; `unavailable`: no loopback address of that family here. */
  why: 'in_use' | 'unavailable';
}

export type BindOutcome = { listener: LoopbackListener } | { busy: BusyRedirect[] };

type Dispatch = (request: IncomingMessage, response: ServerResponse) => void;

function newServer(dispatch: Dispatch): Server {
  const server = createServer((request, response) => dispatch(request, response));
  // Nothing legitimate is slow or large here; do not let a stray client hold the port.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 1_000;
  return server;
}

function closeServers(servers: Server[]): Promise<void> {
  return Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined);
}

/**
 * Binds one redirect URI: every address of its host. For `localhost` a missing address family is
 * skipped, but a busy one makes the port busy (the browser may pick either). Undefined when bound.
 */
async function bindOne(redirect: LoopbackRedirect, listen: ListenOn, dispatch: Dispatch): Promise<{ servers: Server[] } | { why: BusyRedirect['why'] }> {
  const servers: Server[] = [];
  let missing = 0;
  for (const address of redirect.addresses) {
    const server = newServer(dispatch);
    try {
      await listen(server, address, redirect.port);
      servers.push(server);
    } catch (error) {
      const code = String((error as NodeJS.ErrnoException).code ?? '');
      if (FAMILY_MISSING.has(code)) {
        missing++;
        continue;
      }
      await closeServers(servers);
      return { why: 'in_use' };
    }
  }
  if (servers.length === 0) return { why: missing > 0 ? 'unavailable' : 'in_use' };
  return { servers };
}

/** Binds the first redirect URI whose port is free (SPEC 6.2 item 1), or says which are busy. */
export async function bindLoopback(redirects: readonly LoopbackRedirect[], options: ListenerOptions = {}): Promise<BindOutcome> {
  const busy: BusyRedirect[] = [];
  for (const redirect of redirects) {
    let listener: LoopbackListener | undefined;
    // A request that comes before the listener exists (between two binds) is told to come back.
    const dispatch: Dispatch = (request, response) => (listener ? listener.handle(request, response) : send(response, 503, PAGES.notReady, false));
    const bound = await bindOne(redirect, options.listenOn ?? listenOn, dispatch);
    if ('servers' in bound) {
      listener = new LoopbackListener(redirect, bound.servers, options);
      return { listener };
    }
    busy.push({ uri: redirect.uri, port: redirect.port, why: bound.why });
  }
  return { busy };
}
