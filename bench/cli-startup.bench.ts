// `ncs` start-up against `node -e 0`, as medians of interleaved runs in one session (SPEC 9.4).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createApiToken } from '../src/server/directory/api-tokens.js';
import { createUser } from '../src/server/directory/users.js';
import { buildDeps, startServer, type RunningServer } from '../src/server/server.js';
import { seedProjects } from '../test/support/seed-projects.js';
import { testConfig } from '../test/support/server-deps.js';
import { NCS_BIN } from './support/paths.js';

const RUNS = 15;
const PROJECTS = 1_000;

let server: RunningServer | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Runs a command to its end without blocking this process (the server under test lives here). */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ elapsedMs: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ elapsedMs, stdout });
    });
  });
}

const timeRun = async (args: string[], env: NodeJS.ProcessEnv) => (await run(args, env)).elapsedMs;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

it(`ncs --version and ncs projects list --json (${PROJECTS} projects) against node -e 0`, async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ncs-bench-cli-'));
  const { config } = testConfig({ NCS_DATA_DIR: dataDir });
  const deps = await buildDeps(config);
  await seedProjects(deps.db, { count: PROJECTS });
  await createUser(deps.db, { username: 'bench', displayName: 'Bench', password: 'bench-password', isGlobalAdmin: true }, new Date());
  const { token } = await createApiToken(deps.db, { username: 'bench', name: 'bench' }, new Date());
  server = await startServer(deps, { host: '127.0.0.1', port: 0 }, { logLevel: 'warn' });

  const env = { ...process.env, NCS_TOKEN: token, NCS_SERVER: server.url, NCS_CONFIG_DIR: path.join(dataDir, 'config'), NO_COLOR: '1' };
  const listArgs = [NCS_BIN, 'projects', 'list', '--json'];
  const listed = await run(listArgs, env);
  expect(JSON.parse(listed.stdout)).toHaveLength(PROJECTS);

  const node: number[] = [];
  const version: number[] = [];
  const list: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    node.push(await timeRun(['-e', '0'], env));
    version.push(await timeRun([NCS_BIN, '--version'], env));
    list.push(await timeRun(listArgs, env));
  }
  const base = median(node);
  const versionRatio = median(version) / base;
  const listRatio = median(list) / base;
  console.log(
    [
      '',
      `CLI start-up, medians of ${RUNS} interleaved runs (the server with ${PROJECTS} projects runs in this process):`,
      `  node -e 0                         ${base.toFixed(0)} ms`,
      `  ncs --version                     ${median(version).toFixed(0)} ms   ${versionRatio.toFixed(2)}x   (goal: at most 1.3x) ${versionRatio <= 1.3 ? 'MET' : 'NOT MET'}`,
      `  ncs projects list --json          ${median(list).toFixed(0)} ms   ${listRatio.toFixed(2)}x   (goal: at most 2.5x) ${listRatio <= 2.5 ? 'MET' : 'NOT MET'}`,
      '',
    ].join('\n'),
  );
});
