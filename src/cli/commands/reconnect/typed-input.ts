// What a person types while `ncs reconnect` waits: the address the browser ended on, or Procore's out-of-band code.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { IoStreams } from '../../io.js';
import type { CallbackResult } from '../../loopback/listener.js';

/** What a typed line meant: a result, a complaint to show before asking again, or nothing (blank line). */
export type LineVerdict = { result: CallbackResult } | { complaint: string } | undefined;

const sameState = (a: string, b: string) => {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
};

/**
 * A pasted redirect address: accepted only with the attempt's `state`, like a callback on the listener
 * (a pasted `error=` with that state ends the wait as a denial).
 */
export function parsePastedRedirect(line: string, expectedState: string): LineVerdict {
  const text = line.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { complaint: 'That is not an address. Paste the whole address from the browser\'s address bar (it starts with http://).' };
  }
  const state = url.searchParams.get('state');
  if (state === null || !sameState(state, expectedState)) {
    return { complaint: 'That address does not belong to this sign-in (its state does not match); it was ignored. Paste the address of the tab that this command opened.' };
  }
  const error = url.searchParams.get('error');
  if (error) {
    const description = url.searchParams.get('error_description') ?? undefined;
    return { result: { kind: 'error', error, ...(description ? { description } : {}) } };
  }
  const code = url.searchParams.get('code');
  if (!code) return { complaint: 'That address carries no authorization code. Paste the address the browser shows after you chose Allow.' };
  return { result: { kind: 'code', code } };
}

/** An out-of-band code as Procore shows it; a pasted address with `code=` is accepted too. */
export function parseTypedCode(line: string): LineVerdict {
  const text = line.trim();
  if (!text) return undefined;
  if (/^https?:\/\//i.test(text)) {
    let code: string | null = null;
    try {
      code = new URL(text).searchParams.get('code');
    } catch {
      // not an address after all: said below
    }
    return code ? { result: { kind: 'code', code } } : { complaint: 'That address carries no code. Paste the code Procore shows.' };
  }
  if (/\s/.test(text) || text.length > 4096) return { complaint: 'That does not look like a code. Paste the code Procore shows, on its own.' };
  return { result: { kind: 'code', code: text } };
}

export interface ReadTypedOptions {
  prompt: string;
  parse: (line: string) => LineVerdict;
  signal: AbortSignal;
  /** Ctrl-C while the terminal is in raw mode (readline reads keys itself then, so no SIGINT arrives). */
  onInterrupt: () => void;
}

/**
 * Reads lines until one parses to a result. Resolves `'eof'` at the end of input (the caller decides
 * whether to keep waiting for the listener); stops quietly when `signal` aborts. On a terminal readline
 * edits the line; otherwise lines are read as they come (a code fed through a pipe).
 */
export function readTyped(io: IoStreams, options: ReadTypedOptions): Promise<CallbackResult | 'eof'> {
  return new Promise((resolve) => {
    if (options.signal.aborted) return resolve('eof');
    const rawTerminal = io.stdinIsTTY && typeof (io.stdin as { setRawMode?: unknown }).setRawMode === 'function';
    const output = rawTerminal ? (io.stderr as unknown as NodeJS.WritableStream) : undefined;
    const rl = createInterface({ input: io.stdin, output, terminal: rawTerminal });
    let finished = false;
    const finish = (value: CallbackResult | 'eof') => {
      if (finished) return;
      finished = true;
      options.signal.removeEventListener('abort', onAbort);
      rl.close();
      resolve(value);
    };
    const ask = () => {
      if (rawTerminal) {
        rl.setPrompt(options.prompt);
        rl.prompt();
      } else io.stderr.write(`${options.prompt.trimEnd()}\n`); // a log, not a terminal: one line each
    };
    const onAbort = () => {
      if (rawTerminal && !finished) io.stderr.write('\n');
      finish('eof');
    };
    options.signal.addEventListener('abort', onAbort);
    rl.on('line', (line) => {
      if (finished) return;
      const verdict = options.parse(line);
      if (verdict && 'result' in verdict) return finish(verdict.result);
      if (verdict) io.stderr.write(`${verdict.complaint}\n`);
      ask();
    });
    rl.on('close', () => finish('eof'));
    rl.on('SIGINT', () => {
      options.onInterrupt();
    });
    ask();
  });
}
