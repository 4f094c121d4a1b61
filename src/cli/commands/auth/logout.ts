// `ncs logout`: revokes the stored session on the server and forgets it; an NCS_TOKEN is never revoked.
import { CliError, EXIT } from '../../errors.js';
import type { CommandContext } from '../../factory.js';
import { println } from '../../io.js';
import { printJson } from '../../output/text.js';

export interface LogoutOptions {
  context: CommandContext;
}

export async function logout(options: LogoutOptions): Promise<void> {
  const { context } = options;
  const { io, env } = context;
  const tokenInEnv = Boolean(env.NCS_TOKEN);
  const origin = context.maybeServerOrigin();
  let revoked = false;
  let removed = false;
  const messages: string[] = [];

  if (!origin) messages.push('You are not signed in to any NCS server.');
  else {
    const store = await context.credentials();
    const session = await store.get(origin);
    if (!session) messages.push(`You are not signed in to ${origin}.`);
    else {
      try {
        await (await context.clientFor(origin, session.token)).deleteSession();
        revoked = true;
      } catch (err) {
        // Already expired or revoked (401) is what logout wants; anything else is reported, and the token forgotten anyway.
        if (!(err instanceof CliError && err.exitCode === EXIT.auth)) {
          messages.push(`Warning: the server did not revoke the session (${(err as Error).message}); it stays valid until it expires.`);
        }
      }
      removed = await store.delete(origin);
      messages.push(`Signed out of ${origin}${revoked ? '; the session was revoked' : ''}.`);
    }
  }
  if (tokenInEnv) {
    messages.push('Note: NCS_TOKEN is set in the environment and was not revoked; unset it, or revoke the API token on the server.');
  }
  for (const message of messages) println(io.stderr, message);
  if (io.json) printJson(io, { server: origin ?? null, revoked, removed, ncsTokenInEnvironment: tokenInEnv });
}
