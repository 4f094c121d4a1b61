// Session tokens in a file of the config directory, mode 0600: the store where no keychain works.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

interface CredentialsFile {
  version: 1;
  /** Keyed by server origin. */
  sessions: Record<string, { token: string; storedAt: string }>;
}

export interface FileCredentials {
  readonly path: string;
  get(origin: string): Promise<string | null>;
  set(origin: string, token: string, storedAt: Date): Promise<void>;
  delete(origin: string): Promise<boolean>;
}

export function fileCredentials(filePath: string): FileCredentials {
  async function load(): Promise<CredentialsFile> {
    try {
      const parsed = JSON.parse(await readFile(filePath, 'utf8')) as Partial<CredentialsFile>;
      return { version: 1, sessions: parsed && typeof parsed.sessions === 'object' && parsed.sessions ? parsed.sessions : {} };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || err instanceof SyntaxError) return { version: 1, sessions: {} };
      throw err;
    }
  }

  /** Written to a private temporary file and renamed over, so the token is never readable by others, even briefly. */
  async function save(content: CredentialsFile): Promise<void> {
    const dir = path.dirname(filePath);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temporary = `${filePath}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(temporary, 0o600);
      await rename(temporary, filePath);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
  }

  return {
    path: filePath,
    async get(origin) {
      return (await load()).sessions[origin]?.token ?? null;
    },
    async set(origin, token, storedAt) {
      const content = await load();
      content.sessions[origin] = { token, storedAt: storedAt.toISOString() };
      await save(content);
    },
    async delete(origin) {
      const content = await load();
      if (!(origin in content.sessions)) return false;
      delete content.sessions[origin];
      if (Object.keys(content.sessions).length === 0) await rm(filePath, { force: true });
      else await save(content);
      return true;
    },
  };
}
