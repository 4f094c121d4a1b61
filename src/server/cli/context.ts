// What every `ncs-server` command receives: streams, environment, clock, and the database opened on demand.
import type { Readable, Writable } from 'node:stream';
import { loadServerConfig, type ServerConfig } from '../config.js';
import { databaseTargetFromEnv, migrateToLatest, openDatabase, type Db } from '../db/connect.js';

export interface AdminIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
}

export interface AdminContext {
  env: NodeJS.ProcessEnv;
  io: AdminIo;
  now(): Date;
  /** Opens (and migrates) the configured database; closed by the runner after the command. */
  openDb(): Promise<Db>;
  /** Full server configuration (vault keys, Procore app); throws a ConfigError naming the variable. */
  loadConfig(): ServerConfig;
}

/** A failure the admin can fix: printed as one line (no stack), with an exit code. */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export function createAdminContext(env: NodeJS.ProcessEnv, io: AdminIo): AdminContext & { closeDb(): Promise<void> } {
  let opened: Db | undefined;
  return {
    env,
    io,
    now: () => new Date(),
    async openDb() {
      if (!opened) {
        opened = await openDatabase(databaseTargetFromEnv(env));
        await migrateToLatest(opened);
      }
      return opened;
    },
    loadConfig: () => loadServerConfig(env),
    async closeDb() {
      await opened?.destroy();
      opened = undefined;
    },
  };
}
