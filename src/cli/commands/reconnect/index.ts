// `ncs reconnect`: declarations only (SPEC 6.1); the flow of SPEC 6.2 lives in ./reconnect.ts.
import { Command, InvalidArgumentError } from 'commander';
import { examples, lazyAction, type RunState } from '../../command-kit.js';
import type { Factory } from '../../factory.js';
import type { ReconnectOptions } from './reconnect.js';

export const DEFAULT_TIMEOUT_SECONDS = 300;

export function parseTimeoutSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(seconds) || seconds < 1) {
    throw new InvalidArgumentError('give a whole number of seconds, at least 1.');
  }
  return seconds;
}

export function reconnectCommand(factory: Factory, state: RunState): Command {
  return new Command('reconnect')
    .description('Restore a project\'s Procore connection by signing in to Procore as its ball-in-court account')
    .argument('[project]', 'project number, NCS id (prj_…), or an unambiguous part of the name')
    .option('--all-lost', 'reconnect every lost project you may reconnect, one Procore sign-in per account')
    .option('--no-browser', 'do not open a browser: print the sign-in URL and accept the redirected URL pasted back')
    .option('--oob', 'use Procore\'s out-of-band page and type the code shown there')
    .option('--timeout <seconds>', 'how long to wait for the Procore sign-in', parseTimeoutSeconds, DEFAULT_TIMEOUT_SECONDS)
    .option('--force', 'reconnect even when the project is connected, without asking')
    .option('--token-stdin', 'push Procore\'s token response (JSON) read from standard input (Global Admins)')
    .addHelpText(
      'after',
      examples(
        'ncs reconnect P-1002',
        'ncs reconnect "civic library" --no-browser',
        'ncs reconnect --all-lost',
        'ncs reconnect P-1002 --oob',
        'ncs reconnect P-1002 --token-stdin < token.json',
      ),
    )
    .addHelpText(
      'after',
      `The browser's return from Procore comes to a listener on this machine (the first free loopback
redirect URI the NCS server lists). Without a display or over SSH, ncs prints the sign-in address;
paste back the address the browser ends on, or use --oob.

Environment:
  NCS_BROWSER   the command that opens the sign-in page (the URL is its last argument), instead of
                the system's browser; used even without a display or over SSH
`,
    )
    .action(
      lazyAction<ReconnectOptions>(
        factory,
        state,
        'reconnect',
        (context, flags, [project]) => ({
          context,
          project,
          allLost: flags.allLost === true,
          browser: flags.browser !== false,
          oob: flags.oob === true,
          timeoutSeconds: typeof flags.timeout === 'number' ? flags.timeout : DEFAULT_TIMEOUT_SECONDS,
          force: flags.force === true,
          tokenStdin: flags.tokenStdin === true,
        }),
        async () => (await import('./reconnect.js')).reconnect,
      ),
    );
}
