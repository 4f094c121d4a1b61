// Prometheus counters and gauges, aggregates only (no user, project or token ever appears in a label).

type Labels = Record<string, string>;

export interface Metrics {
  increment(name: string, labels?: Labels, by?: number): void;
  /** Prometheus text exposition format 0.0.4. */
  render(gauges?: Record<string, number>): string;
}

const HELP: Record<string, string> = {
  ncs_http_requests_total: 'HTTP requests answered, by method, route and status class.',
  ncs_sign_ins_total: 'Sign-in attempts by outcome.',
  ncs_reconnects_total: 'Reconnect intakes by outcome.',
  ncs_checks_total: 'Account checks by resulting reason.',
  ncs_token_refreshes_total: 'Procore token refreshes by outcome.',
  ncs_sync_passes_total: 'Sync passes (one look at every due project) run by this instance.',
  ncs_sync_rounds_total: 'Project sync rounds by outcome (synced, lost, failed, deferred, skipped, error).',
  ncs_sync_failures_total: 'Failures met by project sync rounds, by reason (an account that cannot serve a project counts once per round).',
  ncs_sync_items_total: 'RFIs and submittals pulled into the mirror, by type.',
};

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}="${labels[key]!.replace(/["\\\n]/g, '_')}"`)
    .join(',');
}

export function createMetrics(): Metrics {
  const counters = new Map<string, Map<string, number>>();
  return {
    increment(name, labels = {}, by = 1) {
      let series = counters.get(name);
      if (!series) counters.set(name, (series = new Map()));
      const key = labelKey(labels);
      series.set(key, (series.get(key) ?? 0) + by);
    },
    render(gauges = {}) {
      const lines: string[] = [];
      for (const [name, series] of [...counters].sort(([a], [b]) => a.localeCompare(b))) {
        if (HELP[name]) lines.push(`# HELP ${name} ${HELP[name]}`);
        lines.push(`# TYPE ${name} counter`);
        for (const [key, value] of series) lines.push(`${name}${key ? `{${key}}` : ''} ${value}`);
      }
      for (const [name, value] of Object.entries(gauges)) {
        lines.push(`# TYPE ${name} gauge`, `${name} ${value}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}
