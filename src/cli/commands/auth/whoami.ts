// `ncs whoami`: who, on which server, with which roles, and where the credential is kept.
import type { MeResponse } from '../../../core/index.js';
import type { CommandContext } from '../../factory.js';
import { println } from '../../io.js';
import { printJson } from '../../output/text.js';

export interface WhoamiOptions {
  context: CommandContext;
}

export function describeRoles(roles: MeResponse['roles']): string[] {
  const lines: string[] = [];
  if (roles.globalAdmin) lines.push('Global Admin (every project)');
  if (roles.projectAdminOf.length > 0) lines.push(`Project Admin of ${roles.projectAdminOf.join(', ')}`);
  if (roles.bicOf.length > 0) lines.push(`Ball-in-court of ${roles.bicOf.join(', ')}`);
  return lines.length > 0 ? lines : ['none (no project is visible)'];
}

export async function whoami(options: WhoamiOptions): Promise<void> {
  const { context } = options;
  const client = await context.apiClient();
  const me = await client.me();
  const credential =
    client.tokenSource === 'env'
      ? { source: 'env' as const, description: 'the NCS_TOKEN environment variable' }
      : await (async () => {
          const session = await (await context.credentials()).get(client.origin);
          return { source: session?.location.kind ?? ('file' as const), description: session?.location.description ?? 'unknown' };
        })();

  if (context.io.json) {
    printJson(context.io, { server: client.origin, user: me.user, roles: me.roles, credential });
    return;
  }
  const out = context.io.stdout;
  const label = (name: string) => name.padEnd(12);
  println(out, `${label('User')}${me.user.username}${me.user.displayName ? ` (${me.user.displayName})` : ''}`);
  println(out, `${label('Server')}${client.origin}`);
  describeRoles(me.roles).forEach((line, index) => println(out, `${label(index === 0 ? 'Roles' : '')}${line}`));
  println(out, `${label('Credential')}${credential.description}`);
}
