// Fixed-window request counting per account (or per app) and the X-Rate-Limit-* numbers to report.
import type { EmulatorSettings } from './settings.js';

/** Reported when no limit is set: large enough that a client pacing itself on Remaining never waits. */
export const UNLIMITED_REPORTED_LIMIT = 1_000_000;

export interface RateLimitVerdict {
  limit: number;
  remaining: number;
  /** Unix seconds when the window resets. */
  resetAt: number;
  /** Whole seconds until then, at least 1. */
  retryAfterSeconds: number;
  limited: boolean;
}

export class RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  /** Counts one request for the key and says whether it is over the limit. */
  take(key: string, settings: EmulatorSettings, now: number): RateLimitVerdict {
    const windowMs = settings.rateLimitWindowSeconds * 1000;
    let window = this.windows.get(key);
    if (!window || now >= window.startedAt + windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    const resetMs = window.startedAt + windowMs;
    const limited = settings.rateLimitPerWindow > 0 && window.count > settings.rateLimitPerWindow;
    const limit = settings.rateLimitPerWindow > 0 ? settings.rateLimitPerWindow : UNLIMITED_REPORTED_LIMIT;
    // Without a limit, Remaining never reaches 0, so a well-behaved client never pauses for nothing.
    const floor = settings.rateLimitPerWindow > 0 ? 0 : 1;
    return {
      limit,
      remaining: Math.max(floor, limit - window.count),
      resetAt: Math.ceil(resetMs / 1000),
      retryAfterSeconds: Math.max(1, Math.ceil((resetMs - now) / 1000)),
      limited,
    };
  }

  /** New limits start new windows, so a test that sets a limit counts from zero. */
  clear(): void {
    this.windows.clear();
  }
}
