// Entry of `ncs`: builds the factory and the command tree, runs the command, maps every failure to an exit code.
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import type { RunState } from './command-kit.js';
import { CliError, EXIT } from './errors.js';
import { createFactory, type FactoryInit } from './factory.js';
import { colorAllowed, processTerminal } from './io.js';
import { buildProgram } from './program.js';
import { reportError } from './report.js';

export function readVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** `--json` anywhere before `--`: commander may fail before the options are parsed, and the error must still be JSON. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Runs `ncs` with `argv` (as process.argv: node, script, args…) and returns the exit code; never throws. */
export async function main(argv: readonly string[], init: FactoryInit = {}): Promise<number> {
  const version = init.version ?? readVersion();
  const terminal = init.terminal ?? processTerminal();
  const env = init.env ?? process.env;
  const factory = createFactory({ ...init, version, terminal, env });
  const state: RunState = { exitCode: EXIT.ok };
  const json = wantsJson(argv.slice(2));
  const program = buildProgram(factory, state, version, { stdout: terminal.stdout, stderr: terminal.stderr, json });
  try {
    await program.parseAsync([...argv]);
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err, json, terminal.stderr);
    const io = state.context?.io;
    return reportError(err, {
      stderr: terminal.stderr,
      colorStderr: io ? io.colorStderr : terminal.stderrIsTTY && colorAllowed({ json, noColor: argv.includes('--no-color'), env }),
      json: io ? io.json : json,
    });
  } finally {
    state.context?.close();
  }
}

/** Help and version are success; any other parse failure is a usage error (exit 2), commander having said why. */
function commanderExit(err: CommanderError, json: boolean, stderr: { write(text: string): unknown }): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
  if (err.code === 'commander.help' && err.exitCode === 0) return EXIT.ok;
  if (json) {
    const message = err.message.replace(/^error: /, '');
    stderr.write(`${JSON.stringify(new CliError('usage', { message: message.charAt(0).toUpperCase() + message.slice(1), hint: 'Run `ncs help` to see the commands.' }).toJSON())}\n`);
  }
  return EXIT.usage;
}
