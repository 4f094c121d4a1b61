// Paths of the built binaries, for benchmarks that run them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NCS_BIN = path.join(REPO_ROOT, 'bin/ncs');
