// `ncs-server`: declares the commands; each command's behaviour lives in its own module, loaded when it runs.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { AdminError, createAdminContext, type AdminContext, type AdminIo } from './context.js';
import { registerUserCommands } from './users.js';
import { registerTokenCommands } from './tokens.js';
import { registerAuditCommands } from './audit.js';
import { registerProjectCommands } from './projects.js';
import { registerVaultCommands } from './vault.js';
import { registerRunCommands } from './run.js';
export { setDemoLoader } from './run.js';

/** Wraps a command's behaviour: builds the context, closes the database, turns errors into one line and an exit code. */
export type Runner = <A extends unknown[]>(action: (ctx: AdminContext, ...args: A) => Promise<void>) => (...args: A) => Promise<void>;

export function buildProgram(env: NodeJS.ProcessEnv, io: AdminIo, setExitCode: (code: number) => void): Command {
  const run: Runner =
    (action) =>
    async (...args) => {
      const ctx = createAdminContext(env, io);
      try {
        await action(ctx, ...args);
      } catch (error) {
        setExitCode(reportError(io, error));
      } finally {
        await ctx.closeDb();
      }
    };

  const program = new Command('ncs-server')
    .description('The Newforma Connector Service backend and its administration commands.')
    .version(process.env.npm_package_version ?? '0.1.0', '-v, --version')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError();

  registerRunCommands(program, run);
  registerUserCommands(program, run);
  registerTokenCommands(program, run);
  registerProjectCommands(program, run);
  registerVaultCommands(program, run);
  registerAuditCommands(program, run);
  return program;
}

export function reportError(io: AdminIo, error: unknown): number {
  if (error instanceof AdminError) {
    io.stderr.write(`ncs-server: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ConfigError) {
    io.stderr.write(`ncs-server: configuration error: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`ncs-server: unexpected failure (this is a bug): ${message}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  const io: AdminIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  const program = buildProgram(process.env, io, (code) => (process.exitCode = code));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportError(io, error);
  }
}
