// Runs `ncs` in-process with an in-memory terminal, a temporary config directory and a fake keychain.
import { mkdtempSync, rmSync } from 'node:fs';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { KeychainBackend } from '../../src/cli/credentials/keychain.js';
import type { FactoryInit } from '../../src/cli/factory.js';
import { main } from '../../src/cli/main.js';
import { fakeNcs, type FakeNcs } from './fake-ncs.js';
import { memoryTerminal, type MemoryTerminal, type MemoryTerminalOptions } from '../support/cli-io.js';

export const NOW = new Date('2025-01-31T12:30:00.000Z');

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  terminal: MemoryTerminal;
}

export interface RunOptions extends Omit<FactoryInit, 'terminal' | 'env'> {
  env?: Record<string, string | undefined>;
  terminal?: MemoryTerminalOptions | MemoryTerminal;
}

/** A keychain in memory: available or not, with what it holds visible to the test. */
export function memoryKeychain(available = true, name = 'Secret Service'): KeychainBackend & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    name,
    items,
    available: async () => available,
    get: async (account) => (available ? (items.get(account) ?? null) : Promise.reject(new Error('no keychain'))),
    set: async (account, secret) => {
      if (!available) throw new Error('no keychain');
      items.set(account, secret);
    },
    delete: async (account) => items.delete(account),
  };
}

/** A fresh config directory per test; `cleanup()` in afterEach. */
export function tempConfigDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ncs-cli-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runNcs(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const { env, terminal: terminalOptions, ...init } = options;
  const terminal = terminalOptions && 'out' in terminalOptions ? terminalOptions : memoryTerminal(terminalOptions);
  const exitCode = await main(['node', 'ncs', ...args], {
    version: '9.9.9',
    clock: { now: () => NOW },
    keychain: memoryKeychain(false),
    platform: 'linux',
    homeDir: '/nonexistent-home',
    ...init,
    env: { ...env },
    terminal,
  });
  return { exitCode, stdout: terminal.out(), stderr: terminal.err(), terminal };
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;]*m/;

/**
 * msw serving a fresh fake NCS API and a fresh config directory for every test of the file; with
 * `handlers: false` the tests install the fake's (or their own) handlers themselves.
 */
export function useFakeNcsServer(options: { handlers?: boolean } = {}) {
  const mock = setupServer();
  const state = {} as { ncs: FakeNcs; config: ReturnType<typeof tempConfigDir> };
  beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => mock.close());
  beforeEach(() => {
    state.config = tempConfigDir();
    state.ncs = fakeNcs();
    if (options.handlers !== false) mock.use(...state.ncs.handlers);
  });
  afterEach(() => {
    mock.resetHandlers();
    state.config.cleanup();
  });
  return {
    mock,
    get ncs(): FakeNcs {
      return state.ncs;
    },
    get config(): ReturnType<typeof tempConfigDir> {
      return state.config;
    },
  };
}
