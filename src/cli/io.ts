// The io object every command writes through: streams, what they are connected to, colour and prompt decisions.
import { CliError } from './errors.js';

/** Where text goes; a process stream or an in-memory sink in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/** Questions asked on the terminal; interactive only (see `IoStreams.canPrompt`). */
export interface Prompter {
  input(message: string, options?: { default?: string }): Promise<string>;
  password(message: string): Promise<string>;
  confirm(message: string, options?: { default?: boolean }): Promise<boolean>;
}

/** The raw facts about the terminal, before any flag is applied. */
export interface Terminal {
  stdout: TextSink;
  stderr: TextSink;
  stdin: NodeJS.ReadableStream;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** Width of the terminal on stdout, when it is one. */
  columns?: number;
  prompter: Prompter;
}

export interface OutputSettings {
  json: boolean;
  /** `--no-color` given. */
  noColor: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export interface IoStreams extends Terminal {
  /** ANSI colour on stdout: a TTY, not `--json`, no `--no-color`, no `NO_COLOR`. */
  colorStdout: boolean;
  colorStderr: boolean;
  /** A person can answer questions: stdin and stderr are terminals. */
  canPrompt: boolean;
  json: boolean;
  /** Reads the whole of stdin (for `--password-stdin` and `--token-stdin`). */
  readStdin(): Promise<string>;
}

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off. */
export function colorAllowed(settings: OutputSettings): boolean {
  return !settings.json && !settings.noColor && !settings.env.NO_COLOR;
}

export function createIo(terminal: Terminal, settings: OutputSettings): IoStreams {
  const allowed = colorAllowed(settings);
  return {
    ...terminal,
    colorStdout: allowed && terminal.stdoutIsTTY,
    colorStderr: allowed && terminal.stderrIsTTY,
    canPrompt: terminal.stdinIsTTY && terminal.stderrIsTTY,
    json: settings.json,
    readStdin: () => readAll(terminal.stdin),
  };
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes one line. */
export function println(sink: TextSink, text = ''): void {
  sink.write(`${text}\n`);
}

/** The process's own terminal; the prompts (inquirer) are loaded only when a question is asked. */
export function processTerminal(): Terminal {
  const stdout = process.stdout;
  const stderr = process.stderr;
  return {
    stdout,
    stderr,
    stdin: process.stdin,
    stdoutIsTTY: stdout.isTTY === true,
    stderrIsTTY: stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    columns: stdout.isTTY ? stdout.columns : undefined,
    prompter: inquirerPrompter(process.stdin, stderr),
  };
}

/** Prompts on stderr, so that stdout carries only data even in interactive use. */
export function inquirerPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  const context = { input, output, clearPromptOnDone: false };
  const ask = async <T>(question: (prompts: typeof import('@inquirer/prompts')) => Promise<T>): Promise<T> => {
    const prompts = await import('@inquirer/prompts');
    try {
      return await question(prompts);
    } catch (err) {
      if ((err as Error)?.name === 'ExitPromptError') throw new CliError('interrupted', { cause: err });
      throw err;
    }
  };
  return {
    input: (message, options) => ask((p) => p.input({ message, default: options?.default }, context)),
    password: (message) => ask((p) => p.password({ message, mask: '*' }, context)),
    confirm: (message, options) => ask((p) => p.confirm({ message, default: options?.default }, context)),
  };
}
