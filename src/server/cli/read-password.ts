// Reads a password for an admin command: prompted without echo (and confirmed) on a terminal, else the first line of stdin.
import { MAX_PASSWORD_LENGTH, MIN_ADMIN_PASSWORD_LENGTH } from '../directory/passwords.js';
import { AdminError, type AdminIo } from './context.js';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACES = new Set(['\u007f', '\b']);

function isTerminal(io: AdminIo): boolean {
  return io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
}

/** One line typed at the terminal, echoing nothing. */
function promptHidden(io: AdminIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    let escape = false;
    const finish = (outcome: { password: string } | { error: AdminError }, unread: string[] = []) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      // Keystrokes that arrived with the Enter (a pasted answer to the next prompt) stay for the next read.
      if (unread.length > 0) stdin.unshift(Buffer.from(unread.join('')));
      io.stderr.write('\n');
      if ('password' in outcome) resolve(outcome.password);
      else reject(outcome.error);
    };
    const onData = (chunk: Buffer | string) => {
      const chars = [...chunk.toString()];
      for (const [index, char] of chars.entries()) {
        if (escape) {
          // Skip the rest of an escape sequence (arrow keys and the like): letters and `~` end it.
          if (/[A-Za-z~]/.test(char)) escape = false;
          continue;
        }
        if (char === '\r' || char === '\n') return finish({ password: typed }, chars.slice(index + 1));
        if (char === CTRL_C) return finish({ error: new AdminError('interrupted; nothing was changed.', 130) });
        if (char === CTRL_D) {
          if (typed === '') return finish({ error: new AdminError('no password given; nothing was changed.', 2) });
          return finish({ password: typed });
        }
        if (char === '\u001b') escape = true;
        else if (BACKSPACES.has(char)) typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    stdin.setRawMode!(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** The first line of a piped stdin (a trailing `\r` removed); undefined when stdin is empty. */
async function readFirstLine(io: AdminIo): Promise<string | undefined> {
  let buffered = '';
  for await (const chunk of io.stdin) {
    buffered += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const newline = buffered.indexOf('\n');
    if (newline >= 0) return buffered.slice(0, newline).replace(/\r$/, '');
    if (buffered.length > MAX_PASSWORD_LENGTH * 4) break;
  }
  return buffered === '' ? undefined : buffered.replace(/\r$/, '');
}

/**
 * A new password for `username`: on a terminal typed twice without echo, else read from stdin's first line.
 * At least MIN_ADMIN_PASSWORD_LENGTH characters (the demo's short "demo" passwords are seeded through the
 * directory functions, not through this command).
 */
export async function readNewPassword(io: AdminIo, username: string): Promise<string> {
  let password: string | undefined;
  if (isTerminal(io)) {
    password = await promptHidden(io, `New password for ${username}: `);
    const repeated = await promptHidden(io, 'Repeat the password: ');
    if (repeated !== password) throw new AdminError('the two passwords differ; nothing was changed.', 2);
  } else {
    password = await readFirstLine(io);
    if (password === undefined) {
      throw new AdminError('no password on stdin: pipe it as the first line (e.g. `… < password-file`) or run the command in a terminal.', 2);
    }
  }
  if ([...password].length < MIN_ADMIN_PASSWORD_LENGTH) {
    throw new AdminError(`the password is too short: use at least ${MIN_ADMIN_PASSWORD_LENGTH} characters. Nothing was changed.`, 2);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AdminError(`the password is too long: use at most ${MAX_PASSWORD_LENGTH} characters. Nothing was changed.`, 2);
  }
  return password;
}
