// Builds the server's dependencies from configuration, listens, and closes cleanly.
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { createProcoreClient } from '../procore/index.js';
import type { ServerConfig } from './config.js';
import { migrateToLatest, openDatabase } from './db/connect.js';
import type { ServerDeps } from './deps.js';
import { buildApp, type BuildAppOptions } from './http/app.js';
import { randomBase32 } from './ids.js';
import { createMetrics } from './metrics.js';
import { startSyncScheduler, type SyncScheduler } from './sync/scheduler.js';
import { SyncSignal } from './sync/signal.js';
import { createVault } from './vault/vault.js';

export async function buildDeps(config: ServerConfig, overrides: Partial<ServerDeps> = {}): Promise<ServerDeps> {
  const db = overrides.db ?? (await openDatabase(config.database));
  await migrateToLatest(db);
  return {
    db,
    config,
    vault: overrides.vault ?? createVault(config.encryptionKeys),
    procore: overrides.procore ?? createProcoreClient(config.procore),
    metrics: overrides.metrics ?? createMetrics(),
    now: overrides.now ?? (() => new Date()),
    instanceId: overrides.instanceId ?? `${hostname()}-${process.pid}-${randomBase32(6)}`,
    readiness: overrides.readiness ?? { ready: true },
    sync: overrides.sync ?? new SyncSignal(),
  };
}

export interface RunningServer {
  app: FastifyInstance;
  deps: ServerDeps;
  url: string;
  port: number;
  /** Starts this instance's sync scheduler (production start; the demo after its first round); close stops it. */
  startSync(options?: { concurrency?: number }): SyncScheduler;
  close(): Promise<void>;
}

export async function startServer(
  deps: ServerDeps,
  listen: { host: string; port: number },
  options: BuildAppOptions = {},
): Promise<RunningServer> {
  const app = await buildApp(deps, options);
  await app.listen({ host: listen.host, port: listen.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  let scheduler: SyncScheduler | undefined;
  return {
    app,
    deps,
    url: `http://${host}:${port}`,
    port,
    startSync(syncOptions = {}) {
      scheduler ??= startSyncScheduler(deps, { logger: app.log, concurrency: syncOptions.concurrency });
      return scheduler;
    },
    async close() {
      // The pass in progress ends before the database goes.
      await scheduler?.stop();
      await app.close();
      await deps.db.destroy();
    },
  };
}
