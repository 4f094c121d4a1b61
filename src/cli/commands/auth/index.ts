// `ncs login`, `ncs logout`, `ncs whoami`: declarations only.
import { Command } from 'commander';
import { examples, lazyAction, type RunState } from '../../command-kit.js';
import type { Factory } from '../../factory.js';
import type { LoginOptions } from './login.js';
import type { LogoutOptions } from './logout.js';
import type { WhoamiOptions } from './whoami.js';

export function authCommands(factory: Factory, state: RunState): Command[] {
  const login = new Command('login')
    .description('Sign in to an NCS server with your domain username and password')
    .option('-u, --username <name>', 'your domain username, without the domain (DEMO\\jsmith and jsmith@demo become jsmith)')
    .option('--password-stdin', 'read the password from standard input (for scripts)')
    .addHelpText(
      'after',
      `${examples(
        'ncs login --server https://ncs.example.com',
        'ncs login --server https://ncs.example.com -u jsmith',
        'printf %s "$NCS_PASSWORD" | ncs login --server https://ncs.example.com -u jsmith --password-stdin',
      )}
Without a terminal, give the password with --password-stdin (recommended) or NCS_USERNAME and
NCS_PASSWORD (the environment is readable by other processes of the same user). The server becomes the
default for later commands; the session token goes to the OS keychain, or to a file readable only by you.
`,
    )
    .action(
      lazyAction<LoginOptions>(
        factory,
        state,
        'login',
        (context, flags) => ({
          context,
          username: typeof flags.username === 'string' ? flags.username : undefined,
          passwordStdin: flags.passwordStdin === true,
        }),
        async () => (await import('./login.js')).login,
      ),
    );

  const logout = new Command('logout')
    .description('Sign out: revoke the session on the server and forget its token')
    .addHelpText('after', `${examples('ncs logout', 'ncs logout --server https://ncs.example.com')}
An API token in NCS_TOKEN is not revoked by logout; revoke it on the server (\`ncs-server tokens revoke ID\`).
`)
    .action(lazyAction<LogoutOptions>(factory, state, 'logout', (context) => ({ context }), async () => (await import('./logout.js')).logout));

  const whoami = new Command('whoami')
    .description('Show who you are signed in as, on which server, your roles, and where the credential is kept')
    .addHelpText('after', examples('ncs whoami', 'ncs whoami --json'))
    .action(lazyAction<WhoamiOptions>(factory, state, 'whoami', (context) => ({ context }), async () => (await import('./whoami.js')).whoami));

  return [login, logout, whoami];
}
