// Starts the Procore emulator with the demo world and a test backend seeded exactly as `ncs-server start --demo` seeds it.
import { DEMO_APP, demoSeed, startEmulator, type RunningEmulator } from '../../src/procore-emulator/index.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import type { DatabaseKind } from './databases.js';
import { createTestServer, type TestServer } from './server-deps.js';

export interface DemoWorld {
  server: TestServer;
  emulator: RunningEmulator;
  /** Signs in through the API and returns the bearer token. */
  signIn(username: string): Promise<string>;
  close(): Promise<void>;
}

export interface DemoWorldOptions {
  /** More server environment (e.g. NCS_PUBLIC_URL for the portal). */
  env?: Record<string, string>;
  /** Redirect URIs the demo's Procore app registers besides the CLI's (e.g. the portal callback). */
  extraRedirectUris?: string[];
}

export async function startDemoWorld(kind: DatabaseKind, options: DemoWorldOptions = {}): Promise<DemoWorld> {
  const redirectUris = [...DEMO_APP.redirectUris, ...(options.extraRedirectUris ?? [])];
  const emulator = await startEmulator({ seed: demoSeed(), app: { ...DEMO_APP, redirectUris } });
  const server = await createTestServer(kind, {
    env: {
      ...options.env,
      PROCORE_LOGIN_URL: emulator.url,
      PROCORE_API_URL: emulator.url,
      PROCORE_CLIENT_ID: DEMO_APP.clientId,
      PROCORE_CLIENT_SECRET: DEMO_APP.clientSecret,
    },
  });
  await seedDemo(server.deps, { emulatorUrl: emulator.url, redirectUri: DEMO_APP.redirectUris[0]! });
  return {
    server,
    emulator,
    async signIn(username) {
      const response = await server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password: 'demo' } });
      if (response.statusCode !== 201) throw new Error(`sign-in of ${username} answered ${response.statusCode}: ${response.body}`);
      return (response.json() as { token: string }).token;
    },
    async close() {
      await server.close();
      await emulator.close();
    },
  };
}
