// Bundles the built `ncs` CLI (dist/cli) into dist/ncs with esbuild: one file per lazily loaded command, so that
// start-up reads a few files instead of hundreds of modules (SPEC 9.4: `ncs projects list --json` ≤ 2.5× `node -e 0`).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: clear the folder so that no chunk of an older build lingers.
rmSync('dist/ncs', { recursive: true, force: true });

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/ncs',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Native code, and `open`, which finds its bundled xdg-open script next to its own module file.
  external: ['@napi-rs/keyring', 'open'],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __ncsCreateRequire } from 'node:module'; const require = __ncsCreateRequire(import.meta.url);" },
});
