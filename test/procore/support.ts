// Shared fixtures of the Procore client tests: fake hosts, secrets to hunt for, a client with recorded sleeps.
import { setupServer } from 'msw/node';
import { createProcoreClient } from '../../src/procore/index.js';

export const LOGIN = 'https://login.procore.test';
export const API = 'https://api.procore.test';
export const CLIENT_ID = 'ncs-client-id';
export const CLIENT_SECRET = 'client-secret-5f4dcc3b5aa765d61d8327deb882cf99';
export const ACCESS_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.access-token-1b2c3d.sig';
export const REFRESH_TOKEN = 'refresh-token-9e107d9d372bb6826bd81d3542a419d6';
export const AUTH_CODE = 'auth-code-e4d909c290d0fb1ca068ffaddf22cbd0';
/** Every value that must never appear in an error message, a cause or a log line. */
export const SECRETS = [CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, AUTH_CODE];

/** 2^49: above 2^32 and exact as a JSON number. */
export const BIG_ID = 562949953421312;
/** Fixed clock: 2024-06-01T00:00:00Z. */
export const NOW_MS = Date.UTC(2024, 5, 1);

export const server = setupServer();

export function makeClient(overrides: { timeoutMs?: number } = {}) {
  const sleeps: number[] = [];
  const logLines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const client = createProcoreClient({
    loginUrl: LOGIN,
    apiUrl: API,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    timeoutMs: overrides.timeoutMs ?? 2_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => NOW_MS,
    env: {}, // no proxy from the developer's shell leaks into unit tests
    logger: { debug: (obj, msg) => logLines.push({ obj, msg }) },
  });
  return { client, sleeps, logLines };
}

/** Runs `fn` and returns what it threw (fails the test when it resolves). */
export async function caught(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Everything about an error a log or an API answer could show. */
export function errorSurface(err: any): string {
  return [err?.message, err?.stack, err?.description, String(err?.cause), err?.cause?.stack, JSON.stringify(err)].join('\n');
}
