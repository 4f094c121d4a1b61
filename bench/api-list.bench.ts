// GET /api/v1/projects (a page of 100 of 10,000) against a bare Fastify route returning the same bytes, in one run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, expect, it } from 'vitest';
import { createUser } from '../src/server/directory/users.js';
import { startServer, type RunningServer } from '../src/server/server.js';
import { buildDeps } from '../src/server/server.js';
import { seedProjects } from '../test/support/seed-projects.js';
import { testConfig } from '../test/support/server-deps.js';
import { runLoad } from './support/load.js';

const PROJECTS = 10_000;
const PAGE = 100;
const SETTINGS = { connections: 10, durationSeconds: 6 };
const ROUNDS = 3;
const GOAL = 0.4;

let dataDir: string | undefined;
let server: RunningServer | undefined;
const bare = Fastify({ logger: false });

afterAll(async () => {
  await server?.close();
  await bare.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it(`GET /api/v1/projects?limit=${PAGE} over ${PROJECTS} projects, as a ratio to a bare Fastify route`, async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ncs-bench-'));
  const { config } = testConfig({ NCS_DATA_DIR: dataDir });
  const deps = await buildDeps(config);
  await seedProjects(deps.db, { count: PROJECTS });
  await createUser(deps.db, { username: 'bench', displayName: 'Bench Admin', password: 'bench-password', isGlobalAdmin: true }, new Date());
  server = await startServer(deps, { host: '127.0.0.1', port: 0 }, { logLevel: 'warn' });

  const session = await fetch(`${server.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
  });
  const { token } = (await session.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  const url = `${server.url}/api/v1/projects?limit=${PAGE}`;
  const page = await fetch(url, { headers });
  const body = await page.text();
  expect((JSON.parse(body) as { items: unknown[] }).items).toHaveLength(PAGE);

  bare.get('/api/v1/projects', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  const bareUrl = `${await bare.listen({ host: '127.0.0.1', port: 0 })}/api/v1/projects?limit=${PAGE}`;

  // Alternate the two so that drift of the machine affects both alike; the best of each counts.
  const ncsRuns: number[] = [];
  const bareRuns: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = await runLoad(bareUrl, { ...SETTINGS, headers });
    const b = await runLoad(url, { ...SETTINGS, headers });
    expect(b.non2xx + b.errors).toBe(0);
    bareRuns.push(a.requestsPerSecond);
    ncsRuns.push(b.requestsPerSecond);
  }
  const ncs = Math.max(...ncsRuns);
  const bareBest = Math.max(...bareRuns);
  const ratio = ncs / bareBest;
  console.log(
    [
      '',
      `GET /api/v1/projects, page of ${PAGE} out of ${PROJECTS} (${body.length} bytes), SQLite file, autocannon -c ${SETTINGS.connections} -d ${SETTINGS.durationSeconds} in a child process, best of ${ROUNDS} alternating rounds, server log level warn:`,
      `  bare Fastify route  ${bareBest.toFixed(0)} req/s   (runs: ${bareRuns.map((r) => r.toFixed(0)).join(', ')})`,
      `  NCS API             ${ncs.toFixed(0)} req/s   (runs: ${ncsRuns.map((r) => r.toFixed(0)).join(', ')})`,
      `  ratio               ${ratio.toFixed(2)}   (goal: at least ${GOAL}) ${ratio >= GOAL ? 'MET' : 'NOT MET'}`,
      '',
    ].join('\n'),
  );
});
