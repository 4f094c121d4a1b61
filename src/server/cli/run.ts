// `ncs-server start`, `migrate` and `emulator`: the long-running commands (the demo and emulator are loaded lazily).
import type { Command } from 'commander';
import { loadServerConfig } from '../config.js';
import { migrateToLatest, openDatabase, databaseTargetFromEnv } from '../db/connect.js';
import { buildDeps, startServer } from '../server.js';
import { AdminError, type AdminContext } from './context.js';
import type { Runner } from './main.js';

/** What `src/demo` offers; `bin/ncs-server` hands its lazy loader in, so production start never loads it. */
export interface DemoModule {
  runDemo(options: { host: string; port: number; emulatorPort: number; ctx: AdminContext }): Promise<{ closed: Promise<void> }>;
  runEmulator(options: { host: string; port: number; seed?: string; ctx: AdminContext }): Promise<{ closed: Promise<void> }>;
}

let demoLoader: (() => Promise<DemoModule>) | undefined;
export function setDemoLoader(loader: () => Promise<DemoModule>): void {
  demoLoader = loader;
}

async function loadDemo(): Promise<DemoModule> {
  if (!demoLoader) throw new AdminError('the demo and the emulator are not available in this build.', 2);
  return demoLoader();
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AdminError(`"${value}" is not a port number (0-65535).`, 2);
  return port;
}

/** Resolves when SIGINT or SIGTERM arrives, after `close` finished. */
export function closeOnSignal(close: () => Promise<void>, ctx: AdminContext): Promise<void> {
  return new Promise((resolve) => {
    const stop = async () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ctx.io.stderr.write('Stopping…\n');
      await close();
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerRunCommands(program: Command, run: Runner): void {
  program
    .command('start')
    .description('Start the NCS backend (with --demo: backend, Procore emulator and demo data).')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--demo', 'start the demo (see README)')
    .option('--emulator-port <port>', 'with --demo: the Procore emulator port', '8081')
    .action(
      run(async (ctx, flags: { port: string; host: string; demo?: boolean; emulatorPort: string }) => {
        const port = parsePort(flags.port);
        if (flags.demo) {
          const demo = await loadDemo();
          const { closed } = await demo.runDemo({ host: flags.host, port, emulatorPort: parsePort(flags.emulatorPort), ctx });
          await closed;
          return;
        }
        const config = loadServerConfig(ctx.env);
        const deps = await buildDeps(config);
        const server = await startServer(deps, { host: flags.host, port });
        server.startSync();
        ctx.io.stderr.write(`NCS backend listening on ${server.url} (sync every ${config.syncIntervalSeconds} s)\n`);
        await closeOnSignal(() => server.close(), ctx);
      }),
    );

  program
    .command('migrate')
    .description('Apply pending database migrations (start does it too).')
    .action(
      run(async (ctx) => {
        const db = await openDatabase(databaseTargetFromEnv(ctx.env));
        try {
          const applied = await migrateToLatest(db);
          ctx.io.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
        } finally {
          await db.destroy();
        }
      }),
    );

  program
    .command('emulator')
    .description('Run the Procore emulator alone (for tests and multi-process runs).')
    .option('--port <port>', 'port to listen on', '8081')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', '"demo" or a seed JSON file')
    .action(
      run(async (ctx, flags: { port: string; host: string; seed?: string }) => {
        const demo = await loadDemo();
        const { closed } = await demo.runEmulator({ host: flags.host, port: parsePort(flags.port), seed: flags.seed, ctx });
        await closed;
      }),
    );
}
