// An in-memory terminal for `ncs` tests: collects stdout and stderr, answers prompts from a script.
import { Readable } from 'node:stream';
import type { Prompter, Terminal } from '../../src/cli/io.js';

export interface MemoryTerminalOptions {
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  stdinIsTTY?: boolean;
  columns?: number;
  /** What stdin holds (for --password-stdin). */
  stdin?: string;
  /** Answers to prompts, in order; a prompt with no answer left fails the test. */
  answers?: Array<string | boolean>;
}

export interface MemoryTerminal extends Terminal {
  out(): string;
  err(): string;
  /** Every prompt message asked, in order. */
  readonly asked: string[];
}

export function memoryTerminal(options: MemoryTerminalOptions = {}): MemoryTerminal {
  let out = '';
  let err = '';
  const asked: string[] = [];
  const answers = [...(options.answers ?? [])];
  const next = (message: string) => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`unexpected prompt: ${message}`);
    return answers.shift()!;
  };
  const prompter: Prompter = {
    input: async (message, o) => {
      const answer = String(next(message));
      return answer === '' && o?.default !== undefined ? o.default : answer;
    },
    password: async (message) => String(next(message)),
    confirm: async (message) => Boolean(next(message)),
  };
  return {
    stdout: { write: (text: string) => void (out += text) },
    stderr: { write: (text: string) => void (err += text) },
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdoutIsTTY: options.stdoutIsTTY ?? false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    stdinIsTTY: options.stdinIsTTY ?? false,
    columns: options.columns,
    prompter,
    out: () => out,
    err: () => err,
    asked,
  };
}
