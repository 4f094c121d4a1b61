// The real `bin/ncs` as a child process: the --version fast path, and the built CLI (dist/, from `npm run build`).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempConfigDir } from './harness.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/ncs');
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;

async function ncs(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let server: http.Server;
let origin: string;
const config = tempConfigDir();
beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== 'Bearer ncs_t_bin') {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { code: 'unauthenticated', message: 'Sign in first.' } }));
      return;
    }
    res.end(JSON.stringify({ items: [], nextCursor: null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  config.cleanup();
});

describe('bin/ncs', () => {
  it('--version prints the package version without loading the CLI', async () => {
    const result = await ncs(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  describe('built CLI', () => {
    it('dist/cli/main.js exists (run `npm run build`)', () => {
      expect(existsSync(path.join(root, 'dist/cli/main.js'))).toBe(true);
    });

    it('lists projects as JSON and exits 0', async () => {
      const result = await ncs(['projects', 'list', '--json'], { NCS_SERVER: origin, NCS_TOKEN: 'ncs_t_bin', NCS_CONFIG_DIR: config.dir });
      expect(result).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    });

    it('exits 3 with a JSON error when the token is refused', async () => {
      const result = await ncs(['projects', 'list', '--json'], { NCS_SERVER: origin, NCS_TOKEN: 'wrong', NCS_CONFIG_DIR: config.dir });
      expect(result.code).toBe(3);
      expect(JSON.parse(result.stderr).error.code).toBe('unauthenticated');
    });
  });
});
