// Small readers for JSON bodies (seed and control endpoints) that fail with a message naming the field.
import { parseProcoreId, type ProcoreId } from './ids.js';

/** A body the emulator refuses; the message names the problem so a test author can fix the call. */
export class BadRequestError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestError';
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new BadRequestError(`${where} must be a JSON object`);
  return value;
}

export function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new BadRequestError(`${where} must be an array`);
  return value;
}

/** Unknown keys are refused: a typo such as `company_id` for `companyId` would otherwise pass silently. */
export function onlyKeys(object: JsonObject, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new BadRequestError(`${where}.${key} is not a known field (expected one of: ${allowed.join(', ')})`);
    }
  }
}

export function requiredString(object: JsonObject, key: string, where: string): string {
  const value = object[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadRequestError(`${where}.${key} must be a non-empty string`);
  }
  return value;
}

export function optionalString(object: JsonObject, key: string, where: string): string | undefined {
  return object[key] === undefined ? undefined : requiredString(object, key, where);
}

export function requiredBoolean(object: JsonObject, key: string, where: string): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') throw new BadRequestError(`${where}.${key} must be true or false`);
  return value;
}

export function optionalBoolean(object: JsonObject, key: string, where: string): boolean | undefined {
  return object[key] === undefined ? undefined : requiredBoolean(object, key, where);
}

export function optionalInteger(
  object: JsonObject,
  key: string,
  where: string,
  range: { min: number; max?: number },
): number | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < range.min || value > max) {
    const upper = range.max === undefined ? '' : ` and at most ${range.max}`;
    throw new BadRequestError(`${where}.${key} must be an integer of at least ${range.min}${upper}`);
  }
  return value;
}

export function optionalEnum<T extends string>(
  object: JsonObject,
  key: string,
  where: string,
  values: readonly T[],
): T | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    throw new BadRequestError(`${where}.${key} must be one of: ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  return value as T;
}

export function requiredId(object: JsonObject, key: string, where: string): ProcoreId {
  const id = parseProcoreId(object[key]);
  if (id === undefined) {
    throw new BadRequestError(
      `${where}.${key} must be a positive integer id below 2^53, as a JSON number or a decimal string`,
    );
  }
  return id;
}

export function optionalId(object: JsonObject, key: string, where: string): ProcoreId | undefined {
  return object[key] === undefined ? undefined : requiredId(object, key, where);
}

const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Epoch milliseconds of an ISO 8601 date or date-time, or undefined. A date-time without an offset is
 * read as UTC (JavaScript would read it as local time, which would make filters depend on the machine).
 */
export function parseIsoTimestamp(text: string): number | undefined {
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, date, time, zone] = match;
  const offset = zone === undefined || zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(time === undefined ? `${date}T00:00:00Z` : `${date}T${time}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An optional ISO 8601 timestamp, as epoch milliseconds. */
export function optionalTimestamp(object: JsonObject, key: string, where: string): number | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? parseIsoTimestamp(value) : undefined;
  if (ms === undefined) throw new BadRequestError(`${where}.${key} must be an ISO 8601 timestamp`);
  return ms;
}
