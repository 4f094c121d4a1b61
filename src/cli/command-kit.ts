// Glue between commander declarations and behaviour modules: global options, lazy loading, the flags→options seam.
import type { Command } from 'commander';
import type { CommandContext, Factory, GlobalOptions } from './factory.js';

/** The outcome of the run, read by `main` after commander returns. */
export interface RunState {
  exitCode: number;
  context?: CommandContext;
}

export function globalsOf(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<Record<string, unknown>>();
  return {
    server: typeof options.server === 'string' ? options.server : undefined,
    json: options.json === true,
    color: options.color !== false,
    verbose: options.verbose === true,
    insecure: options.insecure === true,
  };
}

export type Run<O> = (options: O) => Promise<number | void>;

/**
 * A commander action: builds the command's options from its flags and the context, then loads the
 * behaviour module with `await import()` (so declaring commands costs nothing) and runs it.
 * With `factory.runOverride` set, the options go there instead: tests check flags→options that way.
 */
export function lazyAction<O>(
  factory: Factory,
  state: RunState,
  name: string,
  makeOptions: (context: CommandContext, flags: Record<string, unknown>, args: string[]) => O,
  load: () => Promise<Run<O>>,
): (...args: unknown[]) => Promise<void> {
  return async (...actionArgs: unknown[]) => {
    const command = actionArgs[actionArgs.length - 1] as Command;
    const flags = command.opts<Record<string, unknown>>();
    const positional = command.processedArgs.filter((arg): arg is string => typeof arg === 'string');
    const context = factory.context(globalsOf(command));
    state.context = context;
    const options = makeOptions(context, flags, positional);
    const run = factory.runOverride ? (o: O) => factory.runOverride!(name, o) : await load();
    const exitCode = await run(options);
    state.exitCode = typeof exitCode === 'number' ? exitCode : 0;
  };
}

/** The "Examples:" block under a command's help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}
