// `ncs reconnect` behaviour (SPEC 6.1, 6.2): one project through the browser, every lost project (--all-lost), or a pushed token (--token-stdin).
import type { ProjectDetail } from '../../../core/api.js';
import { CliError, EXIT } from '../../errors.js';
import type { CommandContext } from '../../factory.js';
import { println } from '../../io.js';
import { loadColors } from '../../output/colors.js';
import { statusLabel } from '../../output/projects.js';
import { printJson } from '../../output/text.js';
import { resolveProject } from '../projects/resolve.js';
import { reconnectAllLost } from './all-lost.js';
import { signInAndPush } from './flow.js';
import { pushTokenFromStdin } from './token-stdin.js';
import { renderAccepted } from './verdict.js';

export interface ReconnectOptions {
  context: CommandContext;
  /** As typed; resolve it with `resolveProject(client, project, { command: 'ncs reconnect' })`. */
  project?: string;
  allLost: boolean;
  /** False with `--no-browser`. */
  browser: boolean;
  oob: boolean;
  timeoutSeconds: number;
  force: boolean;
  tokenStdin: boolean;
  /** Aborts the command as Ctrl-C does; the command listens for SIGINT itself when none is given. */
  interrupt?: AbortSignal;
}

function checkFlags(options: ReconnectOptions): void {
  const usage = (message: string, hint: string) => new CliError('usage', { message, hint });
  if (options.allLost && options.project !== undefined) {
    throw usage('Give a project or --all-lost, not both.', 'Run `ncs reconnect P-1002`, or `ncs reconnect --all-lost`.');
  }
  if (!options.allLost && options.project === undefined) {
    throw usage('Name the project to reconnect, or pass --all-lost.', 'Run `ncs reconnect P-1002`; `ncs projects list --status lost` shows the lost ones.');
  }
  if (options.tokenStdin && (options.allLost || options.oob)) {
    throw usage('--token-stdin pushes a token for one project; it does not combine with --all-lost or --oob.', 'Run `ncs reconnect P-1002 --token-stdin < token.json`.');
  }
}

/** Ctrl-C as an AbortSignal while the command runs, so that the listener closes and the exit code is 130. */
function interruptSignal(given?: AbortSignal): { signal: AbortSignal; dispose(): void } {
  if (given) return { signal: given, dispose: () => undefined };
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

export async function reconnect(options: ReconnectOptions): Promise<number | void> {
  checkFlags(options);
  const interrupt = interruptSignal(options.interrupt);
  try {
    if (options.allLost) return await reconnectAllLost({ ...options, interrupt: interrupt.signal });
    return await reconnectProject({ ...options, interrupt: interrupt.signal }, options.project!);
  } finally {
    interrupt.dispose();
  }
}

async function reconnectProject(options: ReconnectOptions & { interrupt: AbortSignal }, input: string): Promise<number | void> {
  const { context } = options;
  const { io } = context;
  const client = await context.apiClient();
  const resolved = await resolveProject(client, input, { command: 'ncs reconnect' });
  const detail = resolved.detail ?? (await client.getProject(resolved.ref));
  const project = { ref: resolved.ref, number: detail.number, name: detail.name, procore: detail.procore };

  if (!(await confirmIfConnected(context, detail, options))) {
    println(io.stderr, 'Nothing was changed.');
    return EXIT.ok;
  }
  const accepted = options.tokenStdin
    ? await pushTokenFromStdin(context, client, project)
    : await signInAndPush({
        context,
        client,
        project,
        browser: options.browser,
        oob: options.oob,
        timeoutSeconds: options.timeoutSeconds,
        interrupt: options.interrupt,
      });
  if (io.json) printJson(io, accepted);
  else io.stdout.write(renderAccepted(project, accepted, await loadColors(io.colorStdout)));
  return EXIT.ok;
}

/**
 * A project that is not lost still has a working account: reconnecting replaces that credential, so
 * it needs a yes at the terminal or --force (SPEC 6.1).
 */
async function confirmIfConnected(context: CommandContext, detail: ProjectDetail, options: ReconnectOptions): Promise<boolean> {
  if (detail.status === 'connection_lost' || options.force) return true;
  const state = `${detail.number} ${detail.name} is ${statusLabel(detail.status)}`;
  const why =
    detail.status === 'degraded'
      ? 'its account works, and Procore is what is unreachable or rate-limiting'
      : detail.accounts.length > 0
        ? `its account works; ${detail.accounts.map((account) => account.login).join(', ')} (failover) needs attention`
        : 'its account works';
  if (!context.io.canPrompt) {
    throw new CliError('confirmation_required', {
      message: `${state}: ${why}. Reconnecting replaces the Procore credential of the account you sign in as.`,
      hint: `Pass --force to reconnect it anyway: \`ncs reconnect ${detail.number} --force\`.`,
      exitCode: EXIT.usage,
    });
  }
  println(context.io.stderr, `${state}: ${why}.`);
  return context.io.prompter.confirm(`Reconnect ${detail.number} anyway, replacing the Procore credential of the account you sign in as?`, { default: false });
}
