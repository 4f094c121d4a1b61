// Runs the sync bench's child scripts in fresh Node processes on the BUILT code: esbuild bundles each script with
// its imports of src/ pointed at dist/ (left external), so the child loads what `npm run build` emitted.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { REPO_ROOT } from './paths.js';

const SRC = path.join(REPO_ROOT, 'src') + path.sep;
const DIST = path.join(REPO_ROOT, 'dist') + path.sep;
// Inside the repository, so that the bundles' bare imports resolve from its node_modules.
const OUT_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'ncs-bench-sync');

const srcToDist: Plugin = {
  name: 'src-to-dist',
  setup(builder) {
    builder.onResolve({ filter: /\/src\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      if (!target.startsWith(SRC)) return undefined;
      return { path: pathToFileURL(DIST + target.slice(SRC.length)).href, external: true };
    });
  },
};

export type ChildScript = 'sync-setup' | 'sync-measure';

/** Bundles the child scripts; returns the path of each bundle. */
export async function bundleChildScripts(): Promise<Record<ChildScript, string>> {
  const names: ChildScript[] = ['sync-setup', 'sync-measure'];
  await build({
    entryPoints: names.map((name) => path.join(REPO_ROOT, 'bench', 'support', `${name}.ts`)),
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    plugins: [srcToDist],
  });
  return Object.fromEntries(names.map((name) => [name, path.join(OUT_DIR, `${name}.mjs`)])) as Record<ChildScript, string>;
}

const running = new Set<ChildProcess>();

/** Runs a bundled script to its end; resolves with its stdout, rejects with its stderr when it fails. */
export function runChildScript(file: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, file], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${path.basename(file)} exited with ${code ?? signal}:\n${stderr}`));
    });
  });
}

/** Stops the children still running (a bench that failed or timed out). */
export function stopChildScripts(): void {
  for (const child of running) child.kill('SIGKILL');
}
