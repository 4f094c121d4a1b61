// The dependencies every route and service receives, built once at start-up (and with fakes in tests).
import type { ProcoreClient } from '../procore/index.js';
import type { ServerConfig } from './config.js';
import type { Db } from './db/connect.js';
import type { Metrics } from './metrics.js';
import type { SyncSignal } from './sync/signal.js';
import type { Vault } from './vault/vault.js';

export interface ServerDeps {
  db: Db;
  config: ServerConfig;
  vault: Vault;
  procore: ProcoreClient;
  metrics: Metrics;
  /** Injected so tests can move time (attempt expiry, throttling windows, token lifetimes). */
  now: () => Date;
  /** Names this process in leases, so two instances never both refresh one account. */
  instanceId: string;
  /** `/readyz` answers 503 until this is true (the demo sets it after its first sync round). */
  readiness: { ready: boolean };
  /** Wakes this instance's sync scheduler (if it runs one) when a project became due. */
  sync: SyncSignal;
}
