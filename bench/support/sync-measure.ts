// Child process (bundled by sync-child.ts, running dist/): opens the database sync-setup.ts made and runs one sync pass,
// alone in this process, sampling memory; prints one JSON line of what it measured and what the pass left behind.
import { loadServerConfig } from '../../src/server/config.js';
import { buildDeps } from '../../src/server/server.js';
import { runSyncPass, type SyncPassReport } from '../../src/server/sync/run-pass.js';

export interface RoundMeasurement {
  wallMs: number;
  /** CPU time (user + system) this process spent on the pass: what waiting for a busy machine does not inflate. */
  cpuMs: number;
  report: SyncPassReport;
  /** ncs_token_refreshes_total by outcome. */
  refreshes: Record<string, number>;
  /** process.resourceUsage().maxRSS; memory before the pass, at its sampled peak, and kept after it (after a GC); bytes. */
  maxRssBytes: number;
  rssBeforeBytes: number;
  heapBeforeBytes: number;
  peakHeapBytes: number;
  heapAfterGcBytes: number;
  projects: number;
  connected: number;
  syncedProjects: number;
  mirrorRows: number;
}

const SAMPLE_EVERY_MS = 25;

/** `name{outcome="x"} n` lines of the Prometheus text, as {x: n}. */
function countersByOutcome(text: string, name: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(new RegExp(`^${name}\\{outcome="([^"]+)"\\} (\\d+)$`, 'gm'))) counts[match[1]!] = Number(match[2]);
  return counts;
}

const deps = await buildDeps(loadServerConfig(process.env));
try {
  global.gc?.();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, SAMPLE_EVERY_MS);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const report = await runSyncPass(deps, { onError: (error, number) => process.stderr.write(`round of ${number} threw: ${String(error)}\n`) });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  global.gc?.();
  const heapAfterGc = process.memoryUsage().heapUsed;

  const counted = async (query: { executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> }) => Number((await query.executeTakeFirstOrThrow()).n);
  const projects = deps.db.selectFrom('projects').select((eb) => eb.fn.countAll<number>().as('n'));
  const measurement: RoundMeasurement = {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    report,
    refreshes: countersByOutcome(deps.metrics.render(), 'ncs_token_refreshes_total'),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBeforeBytes: before.rss,
    heapBeforeBytes: before.heapUsed,
    peakHeapBytes: peakHeap,
    heapAfterGcBytes: heapAfterGc,
    projects: await counted(projects),
    connected: await counted(projects.where('status', '=', 'connected')),
    syncedProjects: await counted(projects.where('last_sync_at', 'is not', null)),
    mirrorRows: await counted(deps.db.selectFrom('mirror_items').select((eb) => eb.fn.countAll<number>().as('n'))),
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
} finally {
  await deps.db.destroy();
}
