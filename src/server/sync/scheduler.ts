// The sync scheduler of one instance: a pass over the due projects, then a nap until the next tick or a wake-up.
import type { ServerDeps } from '../deps.js';
import { runSyncPass, type SyncPassReport } from './run-pass.js';

/** How often an idle instance looks for due work at most: projects asked for on another instance wait no longer. */
const MAX_TICK_MS = 5_000;

export interface SyncLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface SyncScheduler {
  /** Resolves after the pass in progress (if any) has ended. */
  stop(): Promise<void>;
  /** Resolves after the next pass that starts from now has ended (tests and the demo wait on it). */
  nextPass(): Promise<SyncPassReport>;
}

export function startSyncScheduler(deps: ServerDeps, options: { logger?: SyncLogger; concurrency?: number } = {}): SyncScheduler {
  const tickMs = Math.max(100, Math.min(MAX_TICK_MS, deps.config.syncIntervalSeconds * 1000));
  let running = true;
  let wake: (() => void) | undefined;
  let woken = false;
  let waiters: ((report: SyncPassReport) => void)[] = [];
  const unsubscribe = deps.sync.subscribe(() => {
    woken = true;
    wake?.();
  });

  const loop = (async () => {
    while (running) {
      woken = false;
      const starting = waiters;
      waiters = [];
      try {
        const report = await runSyncPass(deps, {
          concurrency: options.concurrency,
          stopping: () => !running,
          onError: (error, projectNumber) =>
            options.logger?.error({ project: projectNumber, err: error }, 'sync round failed'),
        });
        const worked = report.synced + report.lost + report.failed + report.deferred;
        if (worked > 0) options.logger?.info({ ...report }, 'sync pass');
        for (const resolve of starting) resolve(report);
      } catch (error) {
        // The database may be restarting: try again at the next tick.
        options.logger?.error({ err: error }, 'sync pass failed');
        waiters.push(...starting);
      }
      if (!running) break;
      if (!woken) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, tickMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  })();

  return {
    async stop() {
      running = false;
      unsubscribe();
      wake?.();
      await loop;
    },
    nextPass() {
      return new Promise((resolve) => {
        waiters.push(resolve);
        woken = true;
        wake?.();
      });
    },
  };
}
