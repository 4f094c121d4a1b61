// SPEC 6.2 for one project: bind a loopback redirect, start the attempt, send the person to Procore, wait, push the code, tell the verdict.
import { OOB_REDIRECT_URI, type ProcoreTokenAccepted, type ReconnectStarted } from '../../../core/api.js';
import type { NcsApiClient } from '../../api/client.js';
import { CliError, EXIT } from '../../errors.js';
import type { CommandContext } from '../../factory.js';
import { bindLoopback, deniedPage, type CallbackResult, type LoopbackListener, type RefusalReason } from '../../loopback/listener.js';
import { loopbackRedirects } from '../../loopback/redirect-uri.js';
import { createProgress, formatTimeLeft, type Progress } from './progress.js';
import { parsePastedRedirect, parseTypedCode, readTyped } from './typed-input.js';
import { acceptedPage, explainRefusal, refusalPage, type ProjectRef } from './verdict.js';

export interface SignInRequest {
  context: CommandContext;
  client: NcsApiClient;
  project: ProjectRef;
  /** False with `--no-browser`. */
  browser: boolean;
  oob: boolean;
  timeoutSeconds: number;
  /** Aborted on Ctrl-C. */
  interrupt: AbortSignal;
  /** Printed before the sign-in (`--all-lost` names the account and asks to sign out of Procore first). */
  preamble?: (expectedAccounts: readonly string[]) => string[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Messages for the refused requests worth telling; a favicon request is not. */
const REFUSAL_NOTES: Partial<Record<RefusalReason, string>> = {
  state_mismatch: 'Refused a sign-in answer that does not belong to this attempt (its state does not match); still waiting.',
  wrong_host: 'Refused a request to the loopback listener under another host name; still waiting.',
  wrong_method: 'Refused a non-GET request to the loopback listener; still waiting.',
};

/**
 * What the server answered must be what this CLI asked for (SPEC 6.2 item 2): the bound redirect URI,
 * and an authorize URL over https (http only to a loopback host, as the demo's emulator) that sends
 * the browser back to that URI with that state. Anything else would send the code elsewhere.
 */
export function checkStartedAttempt(started: ReconnectStarted, redirectUri: string): void {
  if (started.redirectUri !== redirectUri) {
    throw new CliError('redirect_uri_mismatch', {
      message: `The NCS server started the sign-in for the redirect URI ${started.redirectUri}, not ${redirectUri} that this command listens on; refusing to continue.`,
      hint: 'Tell the NCS administrator: PROCORE_CLI_REDIRECT_URIS and the server answering may be out of step (or something between you and the server rewrites answers).',
      exitCode: EXIT.usage,
    });
  }
  let url: URL;
  try {
    url = new URL(started.authorizeUrl);
  } catch {
    throw new CliError('insecure_authorize_url', { message: 'The NCS server sent a Procore sign-in address that is not a URL; refusing to open it.', exitCode: EXIT.usage });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new CliError('insecure_authorize_url', {
      message: `The NCS server sent a Procore sign-in address that is not https (${url.protocol}//${url.host}); refusing to open it, since the Procore password would cross the network in clear.`,
      hint: 'Tell the NCS administrator to set PROCORE_LOGIN_URL to an https:// address.',
      exitCode: EXIT.usage,
    });
  }
  const sentBackTo = url.searchParams.get('redirect_uri');
  const sentState = url.searchParams.get('state');
  if ((sentBackTo !== null && sentBackTo !== redirectUri) || (sentState !== null && sentState !== started.state)) {
    throw new CliError('redirect_uri_mismatch', {
      message: 'The Procore sign-in address from the NCS server would send the browser back somewhere else than this command listens; refusing to open it.',
      hint: 'Tell the NCS administrator; check that nothing between you and the NCS server rewrites its answers.',
      exitCode: EXIT.usage,
    });
  }
}

function accountsText(expected: readonly string[]): string {
  if (expected.length === 0) return "the project's ball-in-court Procore account";
  if (expected.length === 1) return expected[0];
  return `one of ${expected.join(', ')} (ball-in-court order)`;
}

/** Runs the flow; resolves with the backend's acceptance or throws a CliError saying why not. */
export async function signInAndPush(request: SignInRequest): Promise<ProcoreTokenAccepted> {
  const { context, client, project } = request;
  const { io } = context;
  const progress = createProgress(io.stderr, io.stderrIsTTY && !io.json);
  let listener: LoopbackListener | undefined;
  try {
    let redirectUri = OOB_REDIRECT_URI;
    if (!request.oob) {
      const redirects = loopbackRedirects((await untilInterrupted(client.cliOAuthConfig(), request.interrupt)).redirectUris);
      const bound = await bindLoopback(redirects, { onRefused: (reason) => REFUSAL_NOTES[reason] && progress.say(REFUSAL_NOTES[reason]) });
      if ('listener' in bound) {
        listener = bound.listener;
        redirectUri = listener.redirectUri;
      } else {
        const ports = bound.busy.map((busy) => busy.port).join(', ');
        if (!io.canPrompt) {
          throw new CliError('loopback_port_busy', {
            message: `Every loopback redirect port is busy (${ports}), so ncs cannot receive the browser's return from Procore.`,
            hint: `Close what uses port${bound.busy.length > 1 ? "s" : ""} ${ports}, or run \`ncs reconnect ${project.number} --oob\` and type the code Procore shows.`,
            details: { ports: bound.busy.map((busy) => busy.port) },
          });
        }
        redirectUri = redirects[0].uri;
        progress.say(`Every loopback redirect port is busy (${ports}): after signing in, paste the address the browser ends on.`);
      }
    }

    const started = await untilInterrupted(client.startReconnect(project.ref, request.oob ? { oob: true } : { redirectUri }), request.interrupt);
    checkStartedAttempt(started, redirectUri);
    listener?.expectState(started.state);

    const authorizeHost = new URL(started.authorizeUrl).host;
    for (const line of request.preamble?.(started.expectedAccounts) ?? []) progress.say(line);
    progress.say(`Sign in to Procore (${authorizeHost}) as ${accountsText(started.expectedAccounts)} to reconnect ${project.number} ${project.name}.`);

    const opened = await openBrowser(request, started.authorizeUrl, progress);
    // Typing is offered for the out-of-band code, and for the redirected address when no browser here can reach the listener.
    const typing = request.oob ? 'code' : io.canPrompt && (!opened || !listener) ? 'address' : undefined;

    const timeoutMs = attemptTimeoutMs(request.timeoutSeconds, started.expiresAt, context.clock.now());
    const result = await waitForAnswer({ request, listener, progress, typing, state: started.state, timeoutMs, opened });

    if (result.kind === 'error') {
      await listener?.close();
      throw signInRefused(result, project);
    }

    progress.spin(() => 'Checking the sign-in with NCS and Procore…');
    let accepted: ProcoreTokenAccepted;
    try {
      accepted = await untilInterrupted(client.pushProcoreToken(project.ref, { attemptId: started.attemptId, state: started.state, code: result.code }), request.interrupt);
    } catch (error) {
      const explained = explainRefusal(error, project);
      progress.stop();
      if (explained instanceof CliError) await listener?.finish(refusalPage(explained));
      throw explained;
    }
    progress.stop();
    await listener?.finish(acceptedPage(project, accepted));
    return accepted;
  } finally {
    progress.stop();
    await listener?.close();
  }
}

async function openBrowser(request: SignInRequest, authorizeUrl: string, progress: Progress): Promise<boolean> {
  const opener = request.context.browser();
  const why = !request.browser ? undefined : opener.unavailableReason?.() ?? (opener.canOpen() ? undefined : 'no browser can be opened here');
  if (request.browser && why === undefined) {
    try {
      await opener.open(authorizeUrl);
      progress.say('Opened the Procore sign-in page in your browser. If it did not open, open this address:');
      progress.say(`  ${authorizeUrl}`);
      return true;
    } catch {
      progress.say('The browser could not be opened. Open this address in a browser:');
    }
  } else {
    progress.say(`${request.browser ? `Not opening a browser: ${why}.` : 'Not opening a browser (--no-browser).'} Open this address in a browser:`);
  }
  progress.say(`  ${authorizeUrl}`);
  return false;
}

/** The promise, or `interrupted` as soon as Ctrl-C is pressed (the request itself is left to finish on its own). */
export function untilInterrupted<T>(promise: Promise<T>, interrupt: AbortSignal): Promise<T> {
  if (interrupt.aborted) return Promise.reject(new CliError('interrupted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CliError('interrupted'));
    interrupt.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => interrupt.removeEventListener('abort', onAbort));
  });
}

/** `--timeout`, capped at the attempt's expiry (SPEC 6.2 item 4); a server clock far off is not a cap. */
export function attemptTimeoutMs(timeoutSeconds: number, expiresAt: string, now: Date): number {
  const untilExpiry = Date.parse(expiresAt) - now.getTime();
  const timeoutMs = timeoutSeconds * 1000;
  return Number.isFinite(untilExpiry) && untilExpiry > 0 ? Math.min(timeoutMs, untilExpiry) : timeoutMs;
}

interface WaitInput {
  request: SignInRequest;
  listener?: LoopbackListener;
  progress: Progress;
  typing?: 'code' | 'address';
  state: string;
  timeoutMs: number;
  opened: boolean;
}

/** The first of: the listener's callback, a typed answer, the timeout, Ctrl-C. */
async function waitForAnswer(input: WaitInput): Promise<CallbackResult> {
  const { request, listener, progress, typing } = input;
  const { io } = request.context;
  const { number } = request.project;
  const deadline = Date.now() + input.timeoutMs;
  const stop = new AbortController();
  const racers: Promise<CallbackResult>[] = [];
  let timer: NodeJS.Timeout | undefined;

  if (listener) racers.push(listener.callback());
  if (typing) {
    const until = new Date(deadline).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    if (typing === 'address') {
      progress.say(`After signing in, the browser goes to ${listener?.redirectUri ?? 'a localhost address'}.`);
      progress.say(`If that page does not load (the browser runs on another machine), paste its whole address here. Waiting until ${until}.`);
    }
    const typed = readTyped(io, {
      prompt: typing === 'code' ? 'Code shown by Procore: ' : 'Address the browser ended on: ',
      parse: typing === 'code' ? parseTypedCode : (line) => parsePastedRedirect(line, input.state),
      signal: stop.signal,
      onInterrupt: () => stop.abort(new CliError('interrupted')),
    });
    racers.push(
      typed.then((value) => {
        if (value !== 'eof') return value;
        if (stop.signal.aborted) return new Promise<never>(() => undefined);
        // At the end of input the listener may still get the callback; without one nothing else can come.
        if (listener) return new Promise<never>(() => undefined);
        throw new CliError('usage', { message: 'Standard input ended before a code was given.', hint: `Run \`ncs reconnect ${number} --oob\` again and paste the code Procore shows.` });
      }),
    );
  } else {
    const seconds = Math.round(input.timeoutMs / 1000);
    if (io.stderrIsTTY && !io.json) progress.spin(() => `Waiting for the Procore sign-in in your browser… ${formatTimeLeft(deadline - Date.now())} left (Ctrl-C to stop)`);
    else progress.say(`Waiting up to ${seconds} s for the Procore sign-in${input.opened ? '' : ' (the browser returns to this machine)'}…`);
  }
  racers.push(
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const seconds = Math.round(input.timeoutMs / 1000);
        reject(
          new CliError('reconnect_timed_out', {
            message: `The Procore sign-in did not finish within ${seconds} s. Nothing was changed.`,
            hint: `Run \`ncs reconnect ${number}\` again and finish the sign-in in the browser in time${input.timeoutMs < request.timeoutSeconds * 1000 ? ' (an attempt is valid for 10 minutes)' : ', or give it longer with --timeout SECONDS'}.`,
          }),
        );
      }, input.timeoutMs);
    }),
  );
  const interrupted = AbortSignal.any([request.interrupt, stop.signal]);
  racers.push(
    new Promise<never>((_resolve, reject) => {
      const fail = () => reject(new CliError('interrupted'));
      if (interrupted.aborted) fail();
      else interrupted.addEventListener('abort', fail, { once: true });
    }),
  );
  try {
    return await Promise.race(racers);
  } finally {
    clearTimeout(timer);
    if (!stop.signal.aborted) stop.abort();
    progress.stop();
  }
}

function signInRefused(result: Extract<CallbackResult, { kind: 'error' }>, project: ProjectRef): CliError {
  const page = deniedPage(result.error);
  if (result.error === 'access_denied') {
    return new CliError('reconnect_denied', {
      message: `Procore access was not granted for ${project.number} (the sign-in was cancelled or Deny was chosen). Nothing was changed.`,
      hint: `Run \`ncs reconnect ${project.number}\` again and choose Allow on Procore's page.`,
    });
  }
  return new CliError('procore_sign_in_failed', {
    message: `${page.paragraphs[0]}${result.description ? ` (${result.description})` : ''}`,
    hint: `Run \`ncs reconnect ${project.number}\` again; if it persists, tell the NCS administrator.`,
    exitCode: EXIT.refused,
  });
}
