// Procore ids as decimal strings: numbers from JSON become exact strings at the client's edge.
import { ProcoreError } from './errors.js';

/**
 * Procore ids exceed 2^32 but stay below 2^53, so JSON numbers still hold them exactly; turning them
 * into strings here means nothing after the client ever does arithmetic on an id or loses a digit.
 */
export function toIdString(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return value;
  throw new ProcoreError('bad_response', `Procore sent an unusable ${field} (expected a non-negative integer id)`);
}

/** Ids we send: callers pass strings, and the demo or tests may pass safe integers. */
export function idParam(value: string | number, field: string): string {
  if (typeof value === 'number' ? Number.isSafeInteger(value) && value >= 0 : /^\d{1,20}$/.test(value)) {
    return String(value);
  }
  throw new TypeError(`${field} must be a decimal id, got ${JSON.stringify(value)}`);
}
