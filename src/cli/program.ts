// The `ncs` command tree: global options and every command's declaration; no behaviour is loaded here.
import { Command } from 'commander';
import type { RunState } from './command-kit.js';
import { authCommands } from './commands/auth/index.js';
import { completionCommand } from './commands/completion/index.js';
import { projectsCommand } from './commands/projects/index.js';
import { reconnectCommand } from './commands/reconnect/index.js';
import type { Factory } from './factory.js';
import type { TextSink } from './io.js';

const ENVIRONMENT_HELP = `
Environment:
  NCS_SERVER            the NCS server, when --server is not given (else the last one signed in to)
  NCS_TOKEN             an API token to use instead of \`ncs login\` (never revoked by \`ncs logout\`)
  NCS_USERNAME, NCS_PASSWORD
                        sign in without prompts (prefer --password-stdin: the environment is
                        readable by other processes of the same user)
  NCS_CONFIG_DIR        where the configuration (and a session file, without a keychain) is kept
  NCS_CREDENTIAL_STORE  file or keychain: force where the session token is kept
  NO_COLOR              any value turns colour off (as does --no-color, --json or a non-terminal)
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY
                        proxy for the NCS server (never used for localhost / 127.0.0.1 / ::1)
  NODE_EXTRA_CA_CERTS   a PEM file of extra certificate authorities, for a server whose TLS
                        certificate comes from your organisation's own CA

Exit status: 0 ok, 1 bug, 2 usage or configuration, 3 not signed in, 4 forbidden, 5 not found,
6 reconnect refused, 7 server unreachable, 8 projects not connected, 9 try later, 130 interrupted.
`;

export interface ProgramOutput {
  stdout: TextSink;
  stderr: TextSink;
  /** With --json, commander's own error text is replaced by the JSON error of the handler. */
  json: boolean;
}

export function buildProgram(factory: Factory, state: RunState, version: string, output: ProgramOutput): Command {
  const program = new Command('ncs')
    .description('Newforma Connector Service: Procore connection status and reconnect')
    .version(version, '-V, --version', 'print the version')
    .option('--server <url>', 'the NCS server, e.g. https://ncs.example.com (also NCS_SERVER)')
    .option('--json', 'print one JSON document and nothing else on stdout')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('--verbose', 'trace HTTP requests on stderr, secrets redacted')
    .option('--insecure', 'allow a plain http:// server on a host other than loopback')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', ENVIRONMENT_HELP)
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.stdout.write(text),
      writeErr: (text) => output.stderr.write(text),
      outputError: (text, write) => {
        if (!output.json) write(text);
      },
    });

  for (const command of [...authCommands(factory, state), projectsCommand(factory, state), reconnectCommand(factory, state), completionCommand(factory, state, () => program)]) {
    program.addCommand(command);
  }
  // addCommand() does not pass on exitOverride and the output settings; give them to the whole tree.
  const inherit = (command: Command) => {
    for (const sub of command.commands) {
      sub.copyInheritedSettings(program);
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}
