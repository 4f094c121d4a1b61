// Builds ServerDeps for a test: a fresh migrated database (SQLite or PostgreSQL), a vault key, a controllable clock.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadServerConfig, type ServerConfig } from '../../src/server/config.js';
import type { ServerDeps } from '../../src/server/deps.js';
import { buildApp } from '../../src/server/http/app.js';
import { buildDeps } from '../../src/server/server.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './databases.js';

export interface TestClock {
  now: () => Date;
  set(at: Date | number): void;
  advance(ms: number): void;
}

export function createTestClock(start: Date | number = Date.now()): TestClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => void (current = new Date(at).getTime()),
    advance: (ms) => void (current += ms),
  };
}

/** Collects log lines, so tests can assert that no secret was logged. */
export class LogCollector extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    callback();
  }
  text(): string {
    return this.lines.join('');
  }
}

export interface TestServer {
  deps: ServerDeps;
  app: FastifyInstance;
  database: TestDatabase;
  clock: TestClock;
  logs: LogCollector;
  encryptionKey: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Environment on top of a valid test configuration (Procore URLs, client id/secret, redirect URIs…). */
  env?: Record<string, string>;
  deps?: Partial<ServerDeps>;
  clock?: TestClock;
  sqliteFile?: string;
}

export function testConfig(env: Record<string, string> = {}): { config: ServerConfig; encryptionKey: string } {
  const encryptionKey = env.NCS_ENCRYPTION_KEY ?? randomBytes(32).toString('base64');
  const config = loadServerConfig({
    NCS_ENCRYPTION_KEY: encryptionKey,
    NCS_PUBLIC_URL: 'http://127.0.0.1:8080',
    PROCORE_CLIENT_ID: 'ncs-test',
    PROCORE_CLIENT_SECRET: 'ncs-test-secret',
    PROCORE_LOGIN_URL: 'http://localhost:1',
    PROCORE_API_URL: 'http://127.0.0.1:1',
    ...env,
  });
  return { config, encryptionKey };
}

/** A fresh app over a fresh database; use `app.inject()` for routes. */
export async function createTestServer(kind: DatabaseKind, options: TestServerOptions = {}): Promise<TestServer> {
  const database = await openTestDatabase(kind, { sqliteFile: options.sqliteFile });
  const clock = options.clock ?? createTestClock();
  const { config, encryptionKey } = testConfig(options.env);
  const deps = await buildDeps(config, { db: database.db, now: clock.now, ...options.deps });
  const logs = new LogCollector();
  const app = await buildApp(deps, { logDestination: logs, logLevel: 'debug' });
  await app.ready();
  return {
    deps,
    app,
    database,
    clock,
    logs,
    encryptionKey,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
