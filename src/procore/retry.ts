// Per-request retries (SPEC 4.4): 3 retries 0.5 s, 1 s, 2 s apart for 5xx, timeouts and connection errors.
import { isRetryable } from './errors.js';
import type { ProcoreLogger } from './types.js';

export const RETRY_DELAYS_MS = [500, 1000, 2000] as const;
/** A Retry-After up to this replaces the planned wait; a longer one ends retrying (the round fails fast). */
export const MAX_RETRY_AFTER_SECONDS = 10;

export interface RetryOptions {
  sleep: (ms: number) => Promise<void>;
  logger?: ProcoreLogger;
  operation: string;
}

/**
 * Runs `attempt` until it succeeds, fails with something not retryable (4xx, 429, bad_response), or the
 * retries are spent; the last error is thrown as it is. `attempt` receives its 0-based attempt number.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!isRetryable(err) || n >= RETRY_DELAYS_MS.length) throw err;
      let waitMs: number = RETRY_DELAYS_MS[n];
      if (err.retryAfterSeconds !== undefined) {
        if (err.retryAfterSeconds > MAX_RETRY_AFTER_SECONDS) throw err;
        waitMs = err.retryAfterSeconds * 1000;
      }
      options.logger?.debug({ operation: options.operation, attempt: n, waitMs, kind: err.kind, status: err.status }, 'procore retry');
      await options.sleep(waitMs);
    }
  }
}
