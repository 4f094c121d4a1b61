// `ncs-server start --demo`: a fresh SQLite demo, the Procore emulator, the backend, one sync round, then what to try.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { STATUS_LABELS, type ProjectStatus } from '../core/index.js';
import { DEMO_APP, demoSeed, startEmulator } from '../procore-emulator/index.js';
import type { AdminContext } from '../server/cli/context.js';
import { closeOnSignal } from '../server/cli/run.js';
import { loadServerConfig } from '../server/config.js';
import { buildDeps, startServer } from '../server/server.js';
import { DEMO_USERS, seedDemo } from './seed-demo.js';

export interface DemoOptions {
  host: string;
  port: number;
  emulatorPort: number;
  ctx: AdminContext;
}

/** Recreates `{NCS_DATA_DIR}/demo` with a generated encryption key (mode 0600) and returns the key. */
async function freshDemoDir(dataDir: string): Promise<{ demoDir: string; key: string }> {
  const demoDir = path.resolve(dataDir, 'demo');
  await rm(demoDir, { recursive: true, force: true });
  await mkdir(demoDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64');
  await writeFile(path.join(demoDir, 'encryption.key'), `${key}\n`, { mode: 0o600 });
  return { demoDir, key };
}

export async function runDemo(options: DemoOptions): Promise<{ closed: Promise<void> }> {
  const { ctx } = options;
  const say = (line = '') => ctx.io.stderr.write(`${line}\n`);
  const { demoDir, key } = await freshDemoDir(ctx.env.NCS_DATA_DIR || './.ncs-data');
  say(`warning: demo only — a generated encryption key is stored beside the data in ${path.join(demoDir, 'encryption.key')} (mode 0600).`);

  const publicUrl = ctx.env.NCS_PUBLIC_URL || `http://127.0.0.1:${options.port}`;
  const portalCallback = `${publicUrl}/connectorweb/oauth/callback`;
  // PROCORE_CLI_REDIRECT_URIS, when set, are the CLI's loopback URIs: the demo's Procore app registers them too.
  const cliRedirectUris = (ctx.env.PROCORE_CLI_REDIRECT_URIS ?? '').split(',').map((uri) => uri.trim()).filter(Boolean);
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: options.emulatorPort,
    seed: demoSeed(),
    app: { ...DEMO_APP, redirectUris: [...new Set([...DEMO_APP.redirectUris, ...cliRedirectUris, portalCallback])] },
  });
  const config = loadServerConfig(
    {
      ...ctx.env,
      DATABASE_URL: '',
      NCS_DATA_DIR: demoDir,
      NCS_ENCRYPTION_KEY: key,
      NCS_ENCRYPTION_KEYS_OLD: '',
      NCS_PUBLIC_URL: publicUrl,
      // localhost for sign-in and 127.0.0.1 for the API: the return from Procore to the portal is cross-site, as in production.
      PROCORE_LOGIN_URL: `http://localhost:${emulator.port}`,
      PROCORE_API_URL: `http://127.0.0.1:${emulator.port}`,
      PROCORE_CLIENT_ID: DEMO_APP.clientId,
      PROCORE_CLIENT_SECRET: DEMO_APP.clientSecret,
    },
    { demo: true },
  );
  const deps = await buildDeps(config, { readiness: { ready: false } });
  let server;
  try {
    // Request logs stay off the demo's terminal unless asked for (NCS_LOG_LEVEL=info).
    server = await startServer(deps, { host: options.host, port: options.port }, { logLevel: ctx.env.NCS_LOG_LEVEL || 'warn' });
    await seedDemo(deps, { emulatorUrl: emulator.url, redirectUri: DEMO_APP.redirectUris[0]! });
  } catch (error) {
    await server?.close();
    await emulator.close();
    throw error;
  }
  deps.readiness.ready = true;
  server.startSync();

  const running = server;
  const rows = await deps.db.selectFrom('projects').select(['number', 'name', 'status', 'reason']).orderBy('number').execute();
  say('');
  say(`NCS demo backend   ${running.url}   (API under /api/v1, OpenAPI at /api/v1/openapi.json)`);
  say(`Procore emulator   http://localhost:${emulator.port}   (client id ${DEMO_APP.clientId})`);
  say(`Web portal         ${publicUrl}/connectorweb/Projects   (sign in as jsmith / demo)`);
  say('');
  say('Projects after one sync round against the emulator:');
  for (const row of rows) {
    say(`  ${row.number.padEnd(8)} ${row.name.padEnd(18)} ${STATUS_LABELS[row.status as ProjectStatus].padEnd(16)} ${row.reason ?? ''}`);
  }
  say('');
  say(`Users (password "demo"): ${DEMO_USERS.map((u) => u.username).join(', ')}. Procore accounts: <user>@demo.example, password "demo".`);
  say('Try (in another terminal, from this folder):');
  say(`  npx ncs login --server ${running.url} -u jsmith          # password: demo`);
  say('  npx ncs projects list');
  say('  npx ncs projects show P-1002');
  say('  npx ncs reconnect P-1002     # sign in to Procore as jsmith@demo.example / demo: P-1002 and P-1003 come back');
  say('Or with curl:');
  say(`  TOKEN=$(curl -s -X POST ${running.url}/api/v1/session -H 'content-type: application/json' \\`);
  say(`          -d '{"username":"gadmin","password":"demo"}' | sed -E 's/.*"token":"([^"]+)".*/\\1/')`);
  say(`  curl -s ${running.url}/api/v1/projects -H "Authorization: Bearer $TOKEN"`);
  say('');
  say('Ctrl-C stops the demo.');

  return {
    closed: closeOnSignal(async () => {
      await running.close();
      await emulator.close();
    }, ctx),
  };
}
