// `ncs login`: asks for (or reads) the server, username and password, signs in, and stores the session token.
import { serverSettings, withServerSettings } from '../../config/store.js';
import { CliError } from '../../errors.js';
import type { CommandContext } from '../../factory.js';
import { println } from '../../io.js';
import { formatTimestamp, printJson } from '../../output/text.js';
import { parseServerUrl } from '../../server-url.js';

export interface LoginOptions {
  context: CommandContext;
  username?: string;
  passwordStdin: boolean;
}

/**
 * NCS usernames have no domain (SPEC 4.2 refuses one); people type `DEMO\jsmith` or `jsmith@demo` out of
 * habit, so the CLI removes it and says which domain it removed.
 */
export function stripDomain(input: string): { username: string; domain?: string } {
  const trimmed = input.trim();
  const backslash = trimmed.indexOf('\\');
  if (backslash > 0 && backslash < trimmed.length - 1) return { username: trimmed.slice(backslash + 1), domain: trimmed.slice(0, backslash) };
  const at = trimmed.lastIndexOf('@');
  if (at > 0 && at < trimmed.length - 1) return { username: trimmed.slice(0, at), domain: trimmed.slice(at + 1) };
  return { username: trimmed };
}

async function chooseServer(context: CommandContext): Promise<string> {
  const origin = context.maybeServerOrigin();
  if (origin) return origin;
  if (!context.io.canPrompt) {
    throw new CliError('usage', { message: 'No NCS server given.', hint: 'Run `ncs login --server https://ncs.example.com`, or set NCS_SERVER.' });
  }
  const answer = await context.io.prompter.input('NCS server address (https://…):');
  return parseServerUrl(answer, { insecure: context.globals.insecure });
}

async function chooseUsername(options: LoginOptions, remembered: string | undefined): Promise<string> {
  const { io, env } = options.context;
  let raw = options.username ?? (env.NCS_USERNAME || undefined);
  if (raw === undefined && io.canPrompt) raw = await io.prompter.input('Username (without the domain):', { default: remembered });
  if (raw === undefined && remembered) {
    println(io.stderr, `Signing in as ${remembered}, the last username used on this server.`);
    raw = remembered;
  }
  if (!raw?.trim()) {
    throw new CliError('usage', { message: 'No username given.', hint: 'Pass `-u NAME`, or set NCS_USERNAME.' });
  }
  const { username, domain } = stripDomain(raw);
  if (domain !== undefined) {
    println(io.stderr, `Note: removed the domain "${domain}" from "${raw.trim()}": NCS usernames have no domain, so signing in as "${username}".`);
  }
  return username;
}

async function choosePassword(options: LoginOptions, username: string, origin: string): Promise<string> {
  const { io, env } = options.context;
  if (options.passwordStdin) {
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    if (!password) throw new CliError('usage', { message: '--password-stdin was given, but standard input was empty.' });
    return password;
  }
  if (env.NCS_PASSWORD) return env.NCS_PASSWORD;
  if (io.canPrompt) return io.prompter.password(`Password for ${username} on ${origin}:`);
  throw new CliError('usage', {
    message: 'No password given, and there is no terminal to ask for one.',
    hint: `Pipe it in: \`printf %s "$PASSWORD" | ncs login --server ${origin} -u ${username} --password-stdin\`.`,
  });
}

export async function login(options: LoginOptions): Promise<void> {
  const { context } = options;
  const { io, env } = context;
  const origin = await chooseServer(context);
  const config = context.config();
  const username = await chooseUsername(options, serverSettings(config.read(), origin).lastUsername);
  const password = await choosePassword(options, username, origin);

  const store = await context.credentials();
  await store.ensureUsable();
  const client = await context.clientFor(origin);
  const session = await client.createSession(username, password);

  const previous = await store.get(origin).catch(() => undefined);
  let stored;
  try {
    stored = await store.set(origin, session.token);
  } catch (err) {
    // Do not leave a live session behind that nobody holds.
    await (await context.clientFor(origin, session.token)).deleteSession().catch(() => undefined);
    throw err;
  }
  if (previous && previous.token !== session.token) {
    // The session this login replaces is revoked rather than left valid until it expires.
    await (await context.clientFor(origin, previous.token)).deleteSession().catch(() => undefined);
  }
  const insecureHttp = new URL(origin).protocol === 'http:' && context.globals.insecure;
  await config.update((c) => ({
    ...withServerSettings(c, origin, { lastUsername: username, ...(insecureHttp ? { allowInsecure: true } : {}) }),
    defaultServer: origin,
  }));

  if (stored.notice) println(io.stderr, stored.notice);
  if (env.NCS_TOKEN) println(io.stderr, 'Note: NCS_TOKEN is set in the environment; commands use it instead of this session until you unset it.');
  if (io.json) {
    printJson(io, { server: origin, user: session.user, expiresAt: session.expiresAt, credentialStore: stored.location.kind });
    return;
  }
  const who = session.user.displayName ? `${session.user.username} (${session.user.displayName})` : session.user.username;
  println(io.stderr, `Signed in to ${origin} as ${who}. The session expires ${formatTimestamp(session.expiresAt)}.`);
  println(io.stderr, `The session token is kept in ${stored.location.description}.`);
}
