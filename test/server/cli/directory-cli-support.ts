// Runs `ncs-server` commands in-process through buildProgram, with in-memory streams, against a test database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { CommanderError } from 'commander';
import { buildProgram } from '../../../src/server/cli/main.js';
import type { AdminIo } from '../../../src/server/cli/context.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from '../../support/databases.js';

export class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CliDatabase extends TestDatabase {
  /** What the command's environment needs to open the same database. */
  cliEnv: Record<string, string>;
}

/** A database the test reads and the commands open on their own (a file for SQLite, a schema for PostgreSQL). */
export async function openCliDatabase(kind: DatabaseKind): Promise<CliDatabase> {
  if (kind === 'postgres') {
    const database = await openTestDatabase(kind);
    return { ...database, cliEnv: database.env };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'ncs-cli-'));
  const database = await openTestDatabase(kind, { sqliteFile: path.join(dir, 'ncs.db') });
  return {
    ...database,
    cliEnv: { NCS_DATA_DIR: dir },
    async close() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A stdin that looks like a terminal in raw mode; `type()` sends keystrokes. */
export function fakeTerminal(): PassThrough & { isTTY: boolean; setRawMode: (mode: boolean) => void; rawModes: boolean[]; type(text: string): void } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (mode: boolean) => void; rawModes: boolean[]; type(text: string): void };
  stream.isTTY = true;
  stream.rawModes = [];
  stream.setRawMode = (mode) => void stream.rawModes.push(mode);
  stream.type = (text) => void stream.write(text);
  return stream;
}

export async function runCli(env: Record<string, string>, args: string[], stdin: AdminIo['stdin'] = Readable.from([])): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  let exitCode = 0;
  const program = buildProgram({ USER: 'opsadmin', ...env }, { stdin, stdout, stderr }, (code) => (exitCode = code));
  try {
    await program.parseAsync(['node', 'ncs-server', ...args]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    exitCode = error.exitCode === 0 ? 0 : 2;
  }
  return { stdout: stdout.text, stderr: stderr.text, exitCode };
}

export function stdinLines(...lines: string[]): Readable {
  return Readable.from([lines.map((line) => `${line}\n`).join('')]);
}
