// Runs autocannon in its own process (so the load generator does not share the server's event loop) and reads its JSON.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AUTOCANNON = require.resolve('autocannon/autocannon.js');

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
}

export function runLoad(url: string, settings: LoadSettings): Promise<LoadResult> {
  const args = [AUTOCANNON, '--json', '-c', String(settings.connections), '-d', String(settings.durationSeconds)];
  for (const [name, value] of Object.entries(settings.headers ?? {})) args.push('-H', `${name}=${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const result = JSON.parse(output) as { requests: { average: number }; non2xx: number; errors: number };
      resolve({ requestsPerSecond: result.requests.average, non2xx: result.non2xx, errors: result.errors });
    });
  });
}
