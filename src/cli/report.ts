// The one handler that turns a failure into output and an exit code (SPEC 6.3).
import { redactText } from '../core/redact.js';
import { CliError, EXIT, type ExitCode } from './errors.js';
import type { TextSink } from './io.js';

export interface ErrorOutput {
  stderr: TextSink;
  colorStderr: boolean;
  json: boolean;
}

const BOLD_RED = (text: string) => `\u001b[1;31m${text}\u001b[0m`;

/** Writes the error (text or `{"error": …}` JSON on stderr) and returns the exit code. */
export function reportError(err: unknown, out: ErrorOutput): ExitCode {
  const error = asCliError(err);
  if (out.json) {
    out.stderr.write(`${JSON.stringify(error.toJSON())}\n`);
    return error.exitCode;
  }
  if (error.code === 'interrupted') {
    out.stderr.write('\nInterrupted.\n');
    return error.exitCode;
  }
  const label = out.colorStderr ? BOLD_RED('Error:') : 'Error:';
  out.stderr.write(`${label} ${error.message}\n`);
  if (error.hint) out.stderr.write(`${error.hint}\n`);
  return error.exitCode;
}

/** Anything that is not a CliError is a bug (exit 1) and says so; its message is redacted, never its stack printed. */
export function asCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if ((err as Error)?.name === 'ExitPromptError' || (err as Error)?.name === 'AbortPromptError') return new CliError('interrupted', { cause: err });
  const message = redactText(err instanceof Error ? err.message : String(err));
  return new CliError('unexpected', {
    message: `Unexpected failure: ${message}. This is a bug in ncs.`,
    hint: 'Run the same command with --verbose and report what it prints.',
    exitCode: EXIT.bug,
    cause: err,
  });
}
